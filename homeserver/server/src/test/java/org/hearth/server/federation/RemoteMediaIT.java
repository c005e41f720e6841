package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.media.Multipart;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real servers: B's users download and thumbnail A's media through B, which fetches it from A over federation
 * (the v1.11 multipart endpoints), keeps it, and enforces its own size limit on what it fetches.
 */
class RemoteMediaIT {
    // B admits less than A: A's larger uploads are too large for B to fetch.
    private static final int B_LIMIT = 200_000;

    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback()
            .with("media.max_upload_size", Integer.toString(B_LIMIT));

    @Test
    void remoteMediaIsFetchedOverFederationKeptAndThumbnailed() {
        var alice = a.register("ralice");
        var bob = b.register("rbob");
        byte[] png = png(1000, 500);
        String mxc = upload(a, alice, png, "image/png", "wide photo.png");
        assertTrue(mxc.startsWith(a.serverName() + "/"), mxc);

        var got = get(b, bob, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200);
        assertArrayEquals(png, got.body());
        assertEquals("image/png", got.header("Content-Type"));
        assertEquals("inline; filename*=utf-8''wide%20photo.png", got.header("Content-Disposition"));
        assertEquals(1, count(b, "SELECT COUNT(*) FROM remote_media WHERE origin = '" + a.serverName() + "'"));

        var thumb = get(b, bob, "/_matrix/client/v1/media/thumbnail/" + mxc + "?width=320&height=240&method=scale")
                .assertStatus(200);
        assertEquals("image/png", thumb.header("Content-Type"));
        BufferedImage t = decode(thumb.body());
        assertEquals(320, t.getWidth());
        assertEquals(160, t.getHeight());
        // Kept: one row however often it is asked for, and the bytes are still the origin's.
        assertArrayEquals(png, get(b, bob, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200).body());
        assertEquals(1, count(b, "SELECT COUNT(*) FROM remote_media WHERE origin = '" + a.serverName() + "'"));
    }

    @Test
    void concurrentRequestsForOneRemoteMediaAllGetIt() throws Exception {
        var alice = a.register("calice");
        var bob = b.register("cbob");
        byte[] bytes = random(150_000);
        String mxc = upload(a, alice, bytes, "application/octet-stream", "blob.bin");
        List<Future<byte[]>> answers = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> get(b, bob, "/_matrix/client/v1/media/download/" + mxc)
                        .assertStatus(200).body()));
            }
            for (Future<byte[]> f : answers) {
                assertArrayEquals(bytes, f.get());
            }
        }
        String id = mxc.substring(mxc.indexOf('/') + 1);
        assertEquals(1, count(b, "SELECT COUNT(*) FROM remote_media WHERE media_id = '" + id + "'"));
        var att = get(b, bob, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200);
        assertEquals("attachment; filename=blob.bin", att.header("Content-Disposition"));
    }

    @Test
    void unknownTooLargeAndUnsignedRequestsAreRefused() {
        var alice = a.register("ualice");
        var bob = b.register("ubob");
        get(b, bob, "/_matrix/client/v1/media/download/" + a.serverName() + "/NoSuchMedia").assertError(404, "M_NOT_FOUND");
        get(b, bob, "/_matrix/client/v1/media/thumbnail/" + a.serverName() + "/NoSuchMedia?width=32&height=32")
                .assertError(404, "M_NOT_FOUND");
        // Within A's limit, over B's: B refuses to fetch it (spec: 502 M_TOO_LARGE) and keeps nothing.
        String big = upload(a, alice, random(B_LIMIT + 1), "application/octet-stream", null);
        get(b, bob, "/_matrix/client/v1/media/download/" + big).assertError(502, "M_TOO_LARGE");
        String id = big.substring(big.indexOf('/') + 1);
        assertEquals(0, count(b, "SELECT COUNT(*) FROM remote_media WHERE media_id = '" + id + "'"));
        // The federation endpoints want a signed request.
        a.federation("GET", "/_matrix/federation/v1/media/download/" + id).assertError(401, "M_UNAUTHORIZED");
        a.federation("GET", "/_matrix/federation/v1/media/thumbnail/" + id + "?width=32&height=32")
                .assertError(401, "M_UNAUTHORIZED");
    }

    @Test
    void theFederationThumbnailEndpointAnswersMultipart() {
        var alice = a.register("talice");
        String mxc = upload(a, alice, png(400, 400), "image/png", null);
        String id = mxc.substring(mxc.indexOf('/') + 1);
        FederationClient fromB = b.server().federation().client();
        var r = fromB.getRaw(a.serverName(), "/_matrix/federation/v1/media/thumbnail/" + id
                + "?width=32&height=32&method=crop", 1 << 20);
        assertEquals(200, r.status());
        String boundary = Multipart.boundary(r.header("content-type")).orElseThrow();
        List<Multipart.Part> parts = Multipart.parse(r.body(), boundary).orElseThrow();
        assertEquals(2, parts.size());
        assertEquals("application/json", parts.get(0).header("content-type"));
        assertEquals("{}", new String(parts.get(0).content(), StandardCharsets.UTF_8));
        assertEquals("image/png", parts.get(1).header("content-type"));
        BufferedImage t = decode(parts.get(1).content());
        assertEquals(32, t.getWidth());
        assertEquals(32, t.getHeight());
        // Bad parameters: the spec's errors, not a 500.
        var bad = fromB.getRaw(a.serverName(), "/_matrix/federation/v1/media/thumbnail/" + id + "?width=0&height=32",
                1 << 20);
        assertEquals(400, bad.status());
        var missing = fromB.getRaw(a.serverName(), "/_matrix/federation/v1/media/download/NoSuchMedia", 1 << 20);
        assertEquals(404, missing.status());
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private record Bytes(int status, HttpHeaders headers, byte[] body) {
        Bytes assertStatus(int expected) {
            assertEquals(expected, status, new String(body, StandardCharsets.UTF_8));
            return this;
        }

        Bytes assertError(int expected, String errcode) {
            assertStatus(expected);
            assertEquals(errcode, Json.parseObject(new String(body, StandardCharsets.UTF_8)).getString("errcode"));
            return this;
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private static Bytes request(TestServer server, TestServer.User user, String method, String path,
                                 HttpRequest.BodyPublisher body, String... headers) {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().clientPort() + path))
                .method(method, body).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + user.accessToken());
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> res = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Bytes(res.statusCode(), res.headers(), res.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Bytes get(TestServer server, TestServer.User user, String path) {
        return request(server, user, "GET", path, HttpRequest.BodyPublishers.noBody());
    }

    /** {@code server/mediaId} of the upload. */
    private static String upload(TestServer server, TestServer.User user, byte[] bytes, String type, String name) {
        String path = "/_matrix/media/v3/upload" + (name == null ? ""
                : "?filename=" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        var res = request(server, user, "POST", path, HttpRequest.BodyPublishers.ofByteArray(bytes),
                "Content-Type", type).assertStatus(200);
        String uri = Json.parseObject(new String(res.body(), StandardCharsets.UTF_8)).getString("content_uri");
        return uri.substring("mxc://".length());
    }

    private static byte[] png(int width, int height) {
        var img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.BLUE);
        g.fillRect(0, 0, width, height);
        g.setColor(java.awt.Color.ORANGE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        var out = new java.io.ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static BufferedImage decode(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(TestServer server, String sql) {
        try (var c = server.server().database().dataSource().getConnection();
             var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
