package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProfileRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @Test
    void newUsersDisplayNameIsTheirLocalpart() {
        var ned = server.register("ned");
        var profile = server.client("GET", "/_matrix/client/v3/profile/" + ned.userId()).assertStatus(200).json();
        assertEquals("ned", profile.getString("displayname"));
        assertFalse(profile.containsKey("avatar_url"));
        server.client("GET", "/_matrix/client/v3/profile/" + ned.userId() + "/avatar_url").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void setAndGetOwnProfile() {
        var oli = server.register("oli");
        oli.put("/_matrix/client/v3/profile/" + oli.userId() + "/displayname", json("displayname", "Oliver")).assertStatus(200);
        oli.put("/_matrix/client/r0/profile/" + oli.userId() + "/avatar_url", json("avatar_url", "mxc://example.org/abc")).assertStatus(200);
        assertEquals("Oliver", server.client("GET", "/_matrix/client/v3/profile/" + oli.userId() + "/displayname")
                .assertStatus(200).json().getString("displayname"));
        var profile = oli.get("/_matrix/client/v3/profile/" + oli.userId()).assertStatus(200).json();
        assertEquals("Oliver", profile.getString("displayname"));
        assertEquals("mxc://example.org/abc", profile.getString("avatar_url"));
    }

    @Test
    void profileChangesReachThePort() {
        var changes = new java.util.concurrent.CopyOnWriteArrayList<String>();
        server.server().accounts().profileChanges().set(new org.hearth.core.port.ProfileChanges() {
            @Override
            public void profileChanged(org.hearth.spec.id.UserId user, String displayName, String avatarUrl) {
                changes.add(user.value() + "=" + displayName + "," + avatarUrl);
            }
        });
        try {
            var sam = server.register("sam");
            sam.put("/_matrix/client/v3/profile/" + sam.userId() + "/displayname", json("displayname", "Samuel")).assertStatus(200);
            sam.put("/_matrix/client/v3/profile/" + sam.userId() + "/avatar_url", json("avatar_url", "mxc://a/b")).assertStatus(200);
            assertEquals(java.util.List.of(sam.userId() + "=sam,null", sam.userId() + "=Samuel,null",
                    sam.userId() + "=Samuel,mxc://a/b"), changes);
        } finally {
            server.server().accounts().profileChanges().set(org.hearth.core.port.ProfileChanges.NONE);
        }
    }

    @Test
    void aFailingPortDoesNotFailTheCommittedChange() {
        server.server().accounts().profileChanges().set(new org.hearth.core.port.ProfileChanges() {
            @Override
            public void profileChanged(org.hearth.spec.id.UserId user, String displayName, String avatarUrl) {
                throw new IllegalStateException("room engine down");
            }
        });
        try {
            var tia = server.register("tia");
            tia.put("/_matrix/client/v3/profile/" + tia.userId() + "/displayname", json("displayname", "Tia")).assertStatus(200);
            assertEquals("Tia", tia.get("/_matrix/client/v3/profile/" + tia.userId()).json().getString("displayname"));
        } finally {
            server.server().accounts().profileChanges().set(org.hearth.core.port.ProfileChanges.NONE);
        }
    }

    @Test
    void settingSomeoneElsesProfileIsForbidden() {
        var pam = server.register("pam");
        var quinn = server.register("quinn");
        quinn.put("/_matrix/client/v3/profile/" + pam.userId() + "/displayname", json("displayname", "Mallory"))
                .assertError(403, "M_FORBIDDEN");
        quinn.put("/_matrix/client/v3/profile/" + pam.userId() + "/avatar_url", json("avatar_url", "mxc://x/y"))
                .assertError(403, "M_FORBIDDEN");
    }

    @Test
    void unknownUsersAndBadInput() {
        var rex = server.register("rex");
        server.client("GET", "/_matrix/client/v3/profile/@nobody:" + server.serverName()).assertError(404, "M_NOT_FOUND");
        // Another server's user is asked of that server; one that cannot be reached: 502, as Synapse answers.
        server.client("GET", "/_matrix/client/v3/profile/@nobody:elsewhere.example").assertError(502, "M_UNKNOWN");
        server.client("GET", "/_matrix/client/v3/profile/not-a-user").assertError(400, "M_INVALID_PARAM");
        rex.put("/_matrix/client/v3/profile/" + rex.userId() + "/displayname", json("displayname", "x".repeat(300)))
                .assertError(400, "M_INVALID_PARAM");
        rex.put("/_matrix/client/v3/profile/" + rex.userId() + "/displayname", json("displayname", 3)).assertError(400, "M_BAD_JSON");
        server.client("PUT", "/_matrix/client/v3/profile/" + rex.userId() + "/displayname",
                java.net.http.HttpRequest.BodyPublishers.ofString("{}")).assertError(401, "M_MISSING_TOKEN");
    }
}
