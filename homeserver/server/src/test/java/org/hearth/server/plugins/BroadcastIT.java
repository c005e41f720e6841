package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The broadcast plugin (plugins/broadcast), built from its sources and loaded by a running server, over real HTTP. */
class BroadcastIT {
    private static final Path PLUGINS;
    private static final String BASE = "/_hearth/plugins/broadcast";
    private static final String V3 = "/_matrix/client/v3";

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "broadcast", ">=0.5.0 & <1.0.0", Path.of("../../plugins/broadcast/src/main/java"),
                    Path.of("../../plugins/broadcast/src/main/resources"), Map.of("Plugin-Permissions", "act-as:*"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000");

    private static final AtomicInteger N = new AtomicInteger();

    private static TestServer.User newUser() {
        return server.register("bc" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }


    private static String list(TestServer.User owner, String name, TestServer.User... recipients) {
        var users = Json.arrayBuilder();
        for (var r : recipients) {
            users.add(r.userId());
        }
        return owner.post(BASE + "/lists", json("name", name, "recipients", users)).assertStatus(200).json().getString("list_id");
    }

    private static Map<String, JsonObject> byUser(JsonObject report) {
        Map<String, JsonObject> out = new HashMap<>();
        for (JsonValue v : report.getJsonArray("deliveries")) {
            out.put(v.asJsonObject().getString("user_id"), v.asJsonObject());
        }
        return out;
    }

    private static Set<String> members(TestServer.User user, String room) {
        Set<String> out = new java.util.HashSet<>();
        for (JsonValue v : user.get(V3 + "/rooms/" + enc(room) + "/members").assertStatus(200).json().getJsonArray("chunk")) {
            out.add(v.asJsonObject().getString("state_key"));
        }
        return out;
    }

    @Test
    void aListIsARoomWhoseOnlyMemberIsItsOwnerAndIsRenamedAndEdited() {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String room = list(alice, "Family", bob);
        assertEquals(Set.of(alice.userId()), members(alice, room));
        JsonObject state = alice.get(V3 + "/rooms/" + enc(room) + "/state/org.hearth.broadcast.list/").assertStatus(200).json();
        assertEquals("Family", state.getString("name"));
        assertEquals(bob.userId(), state.getJsonArray("recipients").getString(0));

        alice.put(BASE + "/lists/" + enc(room), json("name", "Relatives")).assertStatus(200);
        assertEquals("Relatives", alice.get(V3 + "/rooms/" + enc(room) + "/state/m.room.name/").json().getString("name"));
        alice.put(BASE + "/lists/" + enc(room) + "/recipients/" + enc(carol.userId()), json()).assertStatus(200);
        JsonObject after = alice.delete(BASE + "/lists/" + enc(room) + "/recipients/" + enc(bob.userId())).assertStatus(200).json();
        assertEquals(Json.arrayBuilder().add(carol.userId()).build(), after.getJsonArray("recipients"));
        assertEquals("Relatives", alice.get(BASE + "/lists").json().getJsonArray("lists").getJsonObject(0).getString("name"));
        assertEquals(Set.of(alice.userId()), members(alice, room));
    }

    @Test
    void aMessageArrivesInEachRecipientsOwnDmAndRecipientsNeverSeeEachOther() {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String room = list(alice, "Team", bob, carol);
        JsonObject report = alice.post(BASE + "/lists/" + enc(room) + "/messages", json("msgtype", "m.text", "body", "hello all"))
                .assertStatus(200).json();
        Map<String, JsonObject> deliveries = byUser(report);
        assertEquals(Set.of(bob.userId(), carol.userId()), deliveries.keySet());
        String bobsDm = deliveries.get(bob.userId()).getString("room_id");
        String carolsDm = deliveries.get(carol.userId()).getString("room_id");
        assertNotEquals(bobsDm, carolsDm);
        assertEquals("sent", deliveries.get(bob.userId()).getString("status")); // invited, not joined yet
        assertEquals(Set.of(alice.userId(), bob.userId()), members(alice, bobsDm));
        assertEquals(Set.of(alice.userId(), carol.userId()), members(alice, carolsDm));

        bob.post(V3 + "/join/" + enc(bobsDm), json()).assertStatus(200);
        JsonObject message = bob.get(V3 + "/rooms/" + enc(bobsDm) + "/event/"
                + enc(deliveries.get(bob.userId()).getString("event_id"))).assertStatus(200).json();
        assertEquals(alice.userId(), message.getString("sender"));
        assertEquals("hello all", message.getJsonObject("content").getString("body"));

        JsonObject second = alice.post(BASE + "/lists/" + enc(room) + "/messages", json("msgtype", "m.text", "body", "again"))
                .assertStatus(200).json();
        JsonObject bobs = byUser(second).get(bob.userId());
        assertEquals(bobsDm, bobs.getString("room_id")); // the existing DM, from m.direct
        assertEquals("delivered", bobs.getString("status"));
        assertEquals(second, alice.get(BASE + "/lists/" + enc(room) + "/messages/" + enc(second.getString("message_id")))
                .assertStatus(200).json());
    }

    @Test
    void writingInTheListRoomFromAnyClientSendsAndReportsThere() throws Exception {
        var alice = newUser();
        var bob = newUser();
        String room = list(alice, "Friends", bob);
        alice.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/w1", json("msgtype", "m.text", "body", "party at 8"))
                .assertStatus(200);
        String notices = eventually(() -> {
            String chunk = alice.get(V3 + "/rooms/" + enc(room) + "/messages?dir=b&limit=20").json().getJsonArray("chunk").toString();
            return chunk.contains("Sent to 1 of 1") ? chunk : null;
        });
        assertTrue(notices.contains(bob.userId() + ": sent"), notices);
        alice.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/w2", json("msgtype", "m.text", "body", "!name Close friends"))
                .assertStatus(200);
        eventually(() -> "Close friends".equals(alice.get(BASE + "/lists/" + enc(room)).json().getString("name")) ? true : null);
    }

    @Test
    void encryptedDmsAreHandedToTheClientAndStillTracked() throws Exception {
        var alice = newUser();
        var dave = newUser();
        var erin = newUser();
        Map<TestServer.User, String> dms = new HashMap<>();
        var direct = Json.objectBuilder();
        for (var user : new TestServer.User[] {dave, erin}) {
            String dm = alice.post(V3 + "/createRoom", json("is_direct", true, "preset", "trusted_private_chat",
                    "invite", Json.arrayBuilder().add(user.userId()), "initial_state", Json.arrayBuilder().add(
                            json("type", "m.room.encryption", "state_key", "", "content",
                                    json("algorithm", "m.megolm.v1.aes-sha2"))))).assertStatus(200).json().getString("room_id");
            dms.put(user, dm);
            direct.add(user.userId(), Json.arrayBuilder().add(dm));
        }
        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/m.direct", direct.build()).assertStatus(200);
        String room = list(alice, "Secret", dave, erin);
        JsonObject report = alice.post(BASE + "/lists/" + enc(room) + "/messages", json("msgtype", "m.text", "body", "psst"))
                .assertStatus(200).json();
        JsonArray encrypted = report.getJsonArray("encrypted");
        assertEquals(2, encrypted.size());
        assertEquals(dms.get(dave), byUser(report).get(dave.userId()).getString("room_id"));
        assertEquals("pending_client", byUser(report).get(dave.userId()).getString("status"));
        String messageId = report.getString("message_id");

        // The client encrypts and sends into dave's DM: the plugin sees the encrypted event from the owner.
        alice.put(V3 + "/rooms/" + enc(dms.get(dave)) + "/send/m.room.encrypted/e1", json("algorithm", "m.megolm.v1.aes-sha2",
                "ciphertext", "AAAA", "session_id", "s", "sender_key", "k", "device_id", "D")).assertStatus(200);
        eventually(() -> "sent".equals(byUser(alice.get(BASE + "/lists/" + enc(room) + "/messages/" + enc(messageId)).json())
                .get(dave.userId()).getString("status")) ? true : null);
        // Or it says so itself.
        JsonObject done = alice.post(BASE + "/lists/" + enc(room) + "/messages/" + enc(messageId) + "/sent",
                json("user_id", erin.userId(), "event_id", "$fromclient")).assertStatus(200).json();
        assertEquals("sent", byUser(done).get(erin.userId()).getString("status"));
        assertEquals(0, done.getJsonArray("encrypted").size());
    }

    @Test
    void theBotAnswersHelpAndCreatesLists() throws Exception {
        var alice = newUser();
        String bot = "@broadcast:" + server.serverName();
        String dm = alice.post(V3 + "/createRoom", json("is_direct", true, "invite", Json.arrayBuilder().add(bot)))
                .assertStatus(200).json().getString("room_id");
        eventually(() -> members(alice, dm).contains(bot)
                && alice.get(V3 + "/rooms/" + enc(dm) + "/joined_members").json().getJsonObject("joined").containsKey(bot) ? true : null);
        alice.put(V3 + "/rooms/" + enc(dm) + "/send/m.room.message/h1", json("msgtype", "m.text", "body", "!help")).assertStatus(200);
        alice.put(V3 + "/rooms/" + enc(dm) + "/send/m.room.message/h2", json("msgtype", "m.text", "body", "!new Neighbours"))
                .assertStatus(200);
        eventually(() -> {
            String chunk = alice.get(V3 + "/rooms/" + enc(dm) + "/messages?dir=b&limit=20").json().getJsonArray("chunk").toString();
            return chunk.contains("!new <name>") && chunk.contains("Created the list Neighbours") ? true : null;
        });
        assertEquals("Neighbours", alice.get(BASE + "/lists").json().getJsonArray("lists").getJsonObject(0).getString("name"));
    }

    @Test
    void badInputToEveryRouteIsAMatrixErrorAndNothingIsStored() {
        var alice = newUser();
        var mallory = newUser();
        alice.post(BASE + "/lists", json()).assertError(400, "M_BAD_JSON");
        alice.post(BASE + "/lists", json("name", "")).assertError(400, "M_BAD_JSON");
        alice.post(BASE + "/lists", json("name", "x", "recipients", "bob")).assertError(400, "M_BAD_JSON");
        alice.post(BASE + "/lists", json("name", "x", "recipients", Json.arrayBuilder().add("bob"))).assertError(400, "M_INVALID_PARAM");
        alice.post(BASE + "/lists", json("name", "x", "recipients", Json.arrayBuilder().add(alice.userId())))
                .assertError(400, "M_INVALID_PARAM");
        var noBody = server.client("POST", BASE + "/lists", java.net.http.HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer " + alice.accessToken());
        assertEquals(400, noBody.status());
        assertEquals(0, alice.get(BASE + "/lists").json().getJsonArray("lists").size());

        String room = list(alice, "Mine", mallory);
        String r = BASE + "/lists/" + enc(room);
        mallory.get(r).assertError(404, "M_NOT_FOUND");
        mallory.post(r + "/messages", json("msgtype", "m.text", "body", "hijack")).assertError(404, "M_NOT_FOUND");
        mallory.put(r, json("name", "hijacked")).assertError(404, "M_NOT_FOUND");
        alice.get(BASE + "/lists/%21nope%3Ax").assertError(404, "M_NOT_FOUND");
        alice.put(r, json("name", 5)).assertError(400, "M_BAD_JSON");
        alice.put(r + "/recipients/notauser", json()).assertError(400, "M_INVALID_PARAM");
        alice.post(r + "/messages", json("body", "no type")).assertError(400, "M_BAD_JSON");
        alice.post(r + "/messages", json("msgtype", "m.text")).assertError(400, "M_BAD_JSON");
        alice.get(r + "/messages/nope").assertError(404, "M_NOT_FOUND");
        alice.post(r + "/messages/nope/sent", json("user_id", mallory.userId(), "event_id", "$x")).assertError(404, "M_NOT_FOUND");
        alice.post(r + "/messages/nope/sent", json("user_id", 1)).assertError(400, "M_BAD_JSON");
        JsonObject list = alice.get(r).assertStatus(200).json();
        assertEquals("Mine", list.getString("name"));
        assertEquals(Json.arrayBuilder().add(mallory.userId()).build(), list.getJsonArray("recipients"));
        assertTrue(mallory.get(V3 + "/sync").json().getJsonObject("rooms").getJsonObject("invite").isEmpty(),
                "no DM was created by refused sends");
    }
}
