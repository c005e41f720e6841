package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * URL previews over real HTTP against a small web server on 127.0.0.2, which the test server's allow list lets
 * through; everything else on loopback (127.0.0.1, ::1, localhost) and the private ranges stays denied.
 */
class MediaPreviewIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("media.url_preview.enabled", "true")
            .with("media.url_preview.ip_range_whitelist", "127.0.0.2/32")
            .with("media.url_preview.max_spider_size", "65536");

    static HttpServer web;
    static final AtomicInteger privateHits = new AtomicInteger();
    static HttpServer privateWeb;
    static final byte[] PNG = MediaRoutesIT.image(64, 48, "png");

    @BeforeAll
    static void startWeb() throws IOException {
        web = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        privateWeb = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        privateWeb.createContext("/", ex -> {
            privateHits.incrementAndGet();
            byte[] b = "<html><head><title>secret</title></head></html>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        web.createContext("/page", ex -> {
            String html = "<html><head><title>Ignored title</title>"
                    + "<meta property=\"og:title\" content=\"Hearth news\">"
                    + "<meta property=\"og:description\" content=\"A homeserver in Java\">"
                    + "<meta property=\"og:image\" content=\"/img.png\">"
                    + "<meta property=\"og:image:width\" content=\"64\">"
                    + "</head><body><script>alert(1)</script></body></html>";
            send(ex, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        });
        web.createContext("/plain", ex -> send(ex, 200, "text/html",
                "<html><head><title> Plain page </title><meta name=description content=\"Just a page\"></head></html>"
                        .getBytes(StandardCharsets.UTF_8)));
        web.createContext("/img.png", ex -> send(ex, 200, "image/png", PNG));
        web.createContext("/hop", ex -> {
            ex.getResponseHeaders().set("Location", "/page");
            send(ex, 302, "text/plain", new byte[0]);
        });
        web.createContext("/to-private", ex -> {
            ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + privateWeb.getAddress().getPort() + "/");
            send(ex, 302, "text/plain", new byte[0]);
        });
        web.createContext("/loop", ex -> {
            ex.getResponseHeaders().set("Location", "/loop");
            send(ex, 302, "text/plain", new byte[0]);
        });
        web.createContext("/huge", ex -> {
            StringBuilder html = new StringBuilder("<html><head><meta property=\"og:title\" content=\"Huge\"></head><body>");
            html.append("x".repeat(1_000_000)).append("</body></html>");
            send(ex, 200, "text/html", html.toString().getBytes(StandardCharsets.UTF_8));
        });
        web.createContext("/data.bin", ex -> send(ex, 200, "application/octet-stream", new byte[] {1, 2, 3}));
        web.start();
        privateWeb.start();
    }

    @AfterAll
    static void stopWeb() {
        web.stop(0);
        privateWeb.stop(0);
    }

    private static void send(com.sun.net.httpserver.HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (var out = ex.getResponseBody()) {
                out.write(body);
            } catch (IOException ignored) {
                // the previewer stops reading at its size limit
            }
        }
        ex.close();
    }

    static String site(String path) {
        return "http://127.0.0.2:" + web.getAddress().getPort() + path;
    }

    static MediaRoutesIT.Bytes preview(TestServer.User user, String url) {
        return MediaRoutesIT.get(server, user, "/_matrix/client/v1/media/preview_url?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
    }

    @Test
    void openGraphOfAPageWithItsImageStoredAsMedia() {
        var ann = server.register("preview_ann");
        JsonObject og = preview(ann, site("/page")).assertStatus(200).json();
        assertEquals("Hearth news", og.getString("og:title"));
        assertEquals("A homeserver in Java", og.getString("og:description"));
        String image = og.getString("og:image");
        assertTrue(image.startsWith("mxc://" + server.serverName() + "/"), image);
        assertEquals(PNG.length, og.getJsonNumber("matrix:image:size").intValue());
        assertEquals("image/png", og.getString("og:image:type"));
        assertEquals("64", og.getString("og:image:width"));
        assertArrayEquals(PNG, MediaRoutesIT.get(server, ann, "/_matrix/client/v1/media/download/"
                + image.substring("mxc://".length())).assertStatus(200).body());
        // Redirects within allowed addresses are followed.
        assertEquals("Hearth news", preview(ann, site("/hop")).assertStatus(200).json().getString("og:title"));
        // The deprecated path answers too, with a token.
        assertEquals("Hearth news", MediaRoutesIT.get(server, ann, "/_matrix/media/v3/preview_url?url="
                + URLEncoder.encode(site("/page"), StandardCharsets.UTF_8)).assertStatus(200).json().getString("og:title"));
    }

    @Test
    void fallbacksImagesAndOtherTypes() {
        var bea = server.register("preview_bea");
        JsonObject plain = preview(bea, site("/plain")).assertStatus(200).json();
        assertEquals("Plain page", plain.getString("og:title"));
        assertEquals("Just a page", plain.getString("og:description"));
        assertFalse(plain.containsKey("og:image"));
        JsonObject img = preview(bea, site("/img.png")).assertStatus(200).json();
        assertTrue(img.getString("og:image").startsWith("mxc://"));
        assertEquals(PNG.length, img.getJsonNumber("matrix:image:size").intValue());
        assertEquals(0, preview(bea, site("/data.bin")).assertStatus(200).json().size());
        // A page over max_spider_size is read only up to it: its head still gives the title.
        assertEquals("Huge", preview(bea, site("/huge")).assertStatus(200).json().getString("og:title"));
    }

    @Test
    void loopbackPrivateAndRedirectsThereAreRefusedWithoutConnecting() {
        var cal = server.register("preview_cal");
        int port = privateWeb.getAddress().getPort();
        preview(cal, "http://127.0.0.1:" + port + "/").assertError(403, "M_UNKNOWN");
        preview(cal, "http://10.0.0.1/").assertError(403, "M_UNKNOWN");
        preview(cal, "http://169.254.169.254/latest/meta-data/").assertError(403, "M_UNKNOWN");
        preview(cal, "http://[::1]:" + port + "/").assertError(403, "M_UNKNOWN");
        preview(cal, "http://[::ffff:127.0.0.1]:" + port + "/").assertError(403, "M_UNKNOWN");
        preview(cal, "http://localhost:" + port + "/").assertError(502, "M_UNKNOWN");
        preview(cal, site("/to-private")).assertError(403, "M_UNKNOWN");
        preview(cal, site("/loop")).assertError(502, "M_UNKNOWN");
        assertEquals(0, privateHits.get(), "the denied server was never reached");
    }

    @Test
    void badRequests() {
        var dee = server.register("preview_dee");
        MediaRoutesIT.get(server, dee, "/_matrix/client/v1/media/preview_url").assertError(400, "M_MISSING_PARAM");
        preview(dee, "file:///etc/passwd").assertError(400, "M_INVALID_PARAM");
        preview(dee, "gopher://example.org/").assertError(400, "M_INVALID_PARAM");
        preview(dee, "not a url").assertError(400, "M_INVALID_PARAM");
        MediaRoutesIT.get(server, dee, "/_matrix/client/v1/media/preview_url?url=http://example.org/&ts=soon")
                .assertError(400, "M_INVALID_PARAM");
        MediaRoutesIT.get(server, null, "/_matrix/client/v1/media/preview_url?url=http://example.org/")
                .assertError(401, "M_MISSING_TOKEN");
    }
}
