package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
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

    /**
     * An origin that is not Hearth (a fake over HTTPS): one older than v1.11, which has only the legacy
     * {@code /_matrix/media/v3/download}; one whose multipart answer names a {@code Location}; a large answer that
     * B writes to disk as it arrives; and one over B's limit sent without a length, refused while it streams.
     */
    @Test
    void legacyDownloadLocationRedirectAndStreamedAnswersOfAnotherOrigin() throws Exception {
        var bob = b.register("lbob");
        byte[] png = png(64, 48);
        byte[] large = random(150_000); // more than the in-memory framing allowance, less than B's limit
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpsServer origin = fakeOrigin();
        String name = "localhost:" + origin.getAddress().getPort();
        String boundary = Multipart.newBoundary();
        origin.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath(); // B escapes the ':' of the origin's name
            seen.add(path + "?" + ex.getRequestURI().getRawQuery());
            byte[] body;
            String type;
            if (path.equals("/_matrix/federation/v1/media/download/legacy")) {
                respond(ex, 404, "application/json", Json.objectBuilder().add("errcode", "M_UNRECOGNIZED")
                        .add("error", "Unrecognized request").build().toString().getBytes(StandardCharsets.UTF_8));
                return;
            } else if (path.equals("/_matrix/media/v3/download/" + name + "/legacy")) {
                body = png;
                type = "image/png";
            } else if (path.equals("/_matrix/federation/v1/media/download/moved")) {
                body = concat(Multipart.head(boundary, "{}", java.util.Map.of("Location",
                        "https://127.0.0.1:" + origin.getAddress().getPort() + "/cdn/moved")), Multipart.tail(boundary));
                type = "multipart/mixed; boundary=" + boundary;
            } else if (path.equals("/cdn/moved")) {
                body = png;
                type = "image/png";
            } else if (path.equals("/_matrix/federation/v1/media/download/large")) {
                body = concat(concat(Multipart.head(boundary, "{}", java.util.Map.of("Content-Type",
                        "application/octet-stream")), large), Multipart.tail(boundary));
                type = "multipart/mixed; boundary=" + boundary;
            } else if (path.equals("/_matrix/federation/v1/media/download/huge")) {
                ex.getResponseHeaders().set("Content-Type", "multipart/mixed; boundary=" + boundary);
                ex.sendResponseHeaders(200, 0); // chunked: B learns the size only while reading
                try (var out = ex.getResponseBody()) {
                    out.write(Multipart.head(boundary, "{}", java.util.Map.of("Content-Type",
                            "application/octet-stream")));
                    for (int i = 0; i < 40; i++) {
                        out.write(random(B_LIMIT / 10));
                    }
                    out.write(Multipart.tail(boundary));
                } catch (IOException peerGaveUp) {
                    // B stops reading at its limit
                }
                return;
            } else {
                respond(ex, 404, "application/json", "{\"errcode\":\"M_NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            respond(ex, 200, type, body);
        });
        origin.start();
        try {
            var legacy = get(b, bob, "/_matrix/client/v1/media/download/" + name + "/legacy").assertStatus(200);
            assertArrayEquals(png, legacy.body());
            assertEquals("image/png", legacy.header("Content-Type"));
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("/_matrix/media/v3/download/" + name + "/legacy?")
                    && s.contains("allow_remote=false")), seen.toString());

            var moved = get(b, bob, "/_matrix/client/v1/media/download/" + name + "/moved").assertStatus(200);
            assertArrayEquals(png, moved.body());
            assertTrue(seen.contains("/cdn/moved?null"), seen.toString());

            var big = get(b, bob, "/_matrix/client/v1/media/download/" + name + "/large").assertStatus(200);
            assertArrayEquals(large, big.body());

            get(b, bob, "/_matrix/client/v1/media/download/" + name + "/huge").assertError(502, "M_TOO_LARGE");
            assertEquals(0, count(b, "SELECT COUNT(*) FROM remote_media WHERE media_id = 'huge'"));
            assertEquals(3, count(b, "SELECT COUNT(*) FROM remote_media WHERE origin = '" + name + "'"));
            // What was fetched went through files, none left behind.
            try (var left = java.nio.file.Files.list(b.dataDir().resolve("media").resolve("tmp"))) {
                assertEquals(List.of(), left.toList());
            }
        } finally {
            origin.stop(0);
        }
    }

    private static HttpsServer fakeOrigin() throws Exception {
        var dir = java.nio.file.Files.createTempDirectory("fake-origin");
        var identity = org.hearth.server.tls.FederationKeystore.loadOrCreate(
                new org.hearth.server.config.HearthConfig.Tls(dir.resolve("tls.p12"), "secret", "origin"), "localhost");
        var store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("origin", identity.key(), "secret".toCharArray(),
                identity.chain().toArray(new java.security.cert.Certificate[0]));
        var keys = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "secret".toCharArray());
        var tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return server;
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (var out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
