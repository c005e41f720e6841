package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Media options off their defaults: the freeze off, and a per-user storage quota. */
class MediaOptionsIT {
    static final int QUOTA = 150_000;

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("media.enable_authenticated_media", "false")
            .with("media.max_user_storage_bytes", Integer.toString(QUOTA))
            .with("media.quota_info_uri", "https://example.org/quota");

    @Test
    void uploadsBeyondTheUsersQuotaAreRefusedWithInfoUri() {
        var bob = server.register("quota_bob");
        byte[] first = MediaRoutesIT.random(100_000);
        MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload", bob.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(first)).assertStatus(200);
        var refused = MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload", bob.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(MediaRoutesIT.random(60_000))).assertError(403, "M_USER_LIMIT_EXCEEDED");
        assertEquals("https://example.org/quota", refused.json().getString("info_uri"));
        assertEquals(false, refused.json().getBoolean("can_upgrade"));
        // Same for an asynchronous upload; the created ID stays usable for something that fits.
        String mxc = MediaRoutesIT.request(server, "POST", "/_matrix/media/v1/create", bob.accessToken(),
                HttpRequest.BodyPublishers.noBody()).assertStatus(200).json().getString("content_uri").substring("mxc://".length());
        MediaRoutesIT.request(server, "PUT", "/_matrix/media/v3/upload/" + mxc, bob.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(MediaRoutesIT.random(60_000))).assertError(403, "M_USER_LIMIT_EXCEEDED");
        byte[] fits = MediaRoutesIT.random(50_000);
        MediaRoutesIT.request(server, "PUT", "/_matrix/media/v3/upload/" + mxc, bob.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(fits)).assertStatus(200);
        assertArrayEquals(fits, MediaRoutesIT.get(server, bob, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200).body());
        // Full now: even one byte is refused; another user is not affected.
        MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload", bob.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(new byte[] {1})).assertError(403, "M_USER_LIMIT_EXCEEDED");
        var cy = server.register("quota_cy");
        MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload", cy.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(first)).assertStatus(200);
    }

    @Test
    void deprecatedEndpointsServeMediaUploadedWithoutTheFreeze() {
        var ann = server.register("unfrozen_ann");
        byte[] png = MediaRoutesIT.image(400, 200, "png");
        String mxc = MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload?filename=a.png", ann.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(png), "Content-Type", "image/png")
                .assertStatus(200).json().getString("content_uri").substring("mxc://".length());
        var legacy = MediaRoutesIT.get(server, null, "/_matrix/media/v3/download/" + mxc).assertStatus(200);
        assertArrayEquals(png, legacy.body());
        assertEquals("inline; filename=a.png", legacy.header("Content-Disposition"));
        assertEquals("public, max-age=86400, s-maxage=86400", legacy.header("Cache-Control"));
        assertArrayEquals(png, MediaRoutesIT.get(server, null, "/_matrix/media/r0/download/" + mxc + "/b.png").assertStatus(200).body());
        assertEquals(320, MediaRoutesIT.decode(MediaRoutesIT.get(server, null, "/_matrix/media/v3/thumbnail/" + mxc
                + "?width=320&height=240").assertStatus(200).body()).getWidth());
        // The authenticated endpoints serve it too, and still need a token.
        assertArrayEquals(png, MediaRoutesIT.get(server, ann, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200).body());
        MediaRoutesIT.get(server, null, "/_matrix/client/v1/media/download/" + mxc).assertError(401, "M_MISSING_TOKEN");
        // allow_remote=false keeps the deprecated endpoints to local media.
        MediaRoutesIT.get(server, null, "/_matrix/media/v3/download/other.example/abc?allow_remote=false").assertError(404, "M_NOT_FOUND");
        MediaRoutesIT.get(server, null, "/_matrix/media/v3/download/" + mxc + "?allow_remote=false").assertStatus(200);
        // Uploads always need a token.
        MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload", null, HttpRequest.BodyPublishers.ofByteArray(png))
                .assertError(401, "M_MISSING_TOKEN");
    }
}
