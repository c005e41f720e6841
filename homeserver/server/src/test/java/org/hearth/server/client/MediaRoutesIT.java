package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The content repository over real HTTP: uploads, async uploads, downloads, thumbnails, headers, limits. */
class MediaRoutesIT {
    static final int MAX_UPLOAD = 300_000;

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("media.max_upload_size", Integer.toString(MAX_UPLOAD))
            .with("media.max_pending_uploads", "3");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Bytes(int status, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonObject json() {
            return Json.parseObject(new String(body, StandardCharsets.UTF_8));
        }

        Bytes assertStatus(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + ", got " + status + ": "
                        + new String(body, StandardCharsets.UTF_8));
            }
            return this;
        }

        Bytes assertError(int expected, String errcode) {
            assertStatus(expected);
            assertEquals(errcode, json().getString("errcode"), new String(body, StandardCharsets.UTF_8));
            return this;
        }
    }

    static Bytes request(String method, String path, String token, HttpRequest.BodyPublisher body, String... headers) {
        return request(server, method, path, token, body, headers);
    }

    static Bytes request(TestServer server, String method, String path, String token, HttpRequest.BodyPublisher body,
                         String... headers) {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().clientPort() + path))
                .method(method, body).timeout(Duration.ofSeconds(30));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
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

    static Bytes get(TestServer.User user, String path) {
        return get(server, user, path);
    }

    static Bytes get(TestServer server, TestServer.User user, String path) {
        return request(server, "GET", path, user == null ? null : user.accessToken(), HttpRequest.BodyPublishers.noBody());
    }

    static String upload(TestServer.User user, byte[] bytes, String contentType, String fileName) {
        String path = "/_matrix/media/v3/upload" + (fileName == null ? "" : "?filename="
                + java.net.URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20"));
        String uri = request("POST", path, user.accessToken(), HttpRequest.BodyPublishers.ofByteArray(bytes),
                "Content-Type", contentType).assertStatus(200).json().getString("content_uri");
        assertTrue(uri.startsWith("mxc://" + server.serverName() + "/"), uri);
        assertTrue(uri.substring(("mxc://" + server.serverName() + "/").length()).matches("[A-Za-z0-9_-]+"), uri);
        return uri.substring("mxc://".length());
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    static byte[] image(int width, int height, String format) {
        var img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.ORANGE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        var out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(img, format, out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            assertTrue(img != null, "the answer is a decodable image");
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void uploadThenDownloadGivesTheSameBytesWithSafeHeaders() {
        var ann = server.register("media_ann");
        // Larger than the 64 KiB JSON limit of test servers: uploads have their own limit.
        byte[] bytes = random(200_000);
        String mxc = upload(ann, bytes, "application/pdf", "report.pdf");
        var res = get(ann, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200);
        assertArrayEquals(bytes, res.body());
        assertEquals("application/pdf", res.header("Content-Type"));
        assertEquals("attachment; filename=report.pdf", res.header("Content-Disposition"));
        assertEquals("200000", res.header("Content-Length"));
        assertEquals(MediaRoutes.CONTENT_SECURITY_POLICY, res.header("Content-Security-Policy"));
        assertTrue(res.header("Content-Security-Policy").startsWith("sandbox;"));
        assertEquals("cross-origin", res.header("Cross-Origin-Resource-Policy"));
        assertEquals("nosniff", res.header("X-Content-Type-Options"));
        assertEquals("*", res.header("Access-Control-Allow-Origin"));
        assertTrue(res.header("Cache-Control").contains("max-age="));
        // Another user of the server may download it too (anyone knowing the mxc URI may).
        var bob = server.register("media_bob");
        assertArrayEquals(bytes, get(bob, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200).body());
    }

    @Test
    void contentDispositionIsInlineOnlyForSafeTypesAndEncodesFileNames() {
        var cat = server.register("media_cat");
        byte[] png = image(10, 10, "png");
        String inline = upload(cat, png, "image/png", "photo 1.png");
        var res = get(cat, "/_matrix/client/v1/media/download/" + inline).assertStatus(200);
        assertEquals("inline; filename*=utf-8''photo%201.png", res.header("Content-Disposition"));
        // An HTML page never runs as a page of the server: attachment, sandboxed.
        String html = upload(cat, "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8), "text/html", null);
        res = get(cat, "/_matrix/client/v1/media/download/" + html).assertStatus(200);
        assertEquals("attachment", res.header("Content-Disposition"));
        assertEquals("text/html", res.header("Content-Type"));
        String svg = upload(cat, "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8), "image/svg+xml", "a.svg");
        assertEquals("attachment; filename=a.svg", get(cat, "/_matrix/client/v1/media/download/" + svg).header("Content-Disposition"));
        // Quotes, semicolons, line breaks and non-ASCII cannot break out of the header.
        String odd = upload(cat, png, "image/png", "r\u00e9sum\u00e9\";x=\r\n.png");
        assertEquals("inline; filename*=utf-8''r%C3%A9sum%C3%A9%22%3Bx%3D%0D%0A.png",
                get(cat, "/_matrix/client/v1/media/download/" + odd).header("Content-Disposition"));
        // No filename at upload: none in the header; no Content-Type: application/octet-stream.
        String bare = request("POST", "/_matrix/media/v3/upload", cat.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).assertStatus(200).json()
                .getString("content_uri").substring("mxc://".length());
        res = get(cat, "/_matrix/client/v1/media/download/" + bare).assertStatus(200);
        assertEquals("application/octet-stream", res.header("Content-Type"));
        assertEquals("attachment", res.header("Content-Disposition"));
    }

    @Test
    void fileNameInThePathOverridesTheUploadedOne() {
        var dan = server.register("media_dan");
        byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        String mxc = upload(dan, bytes, "text/plain", "a.txt");
        var res = get(dan, "/_matrix/client/v1/media/download/" + mxc + "/other%20name.txt").assertStatus(200);
        assertArrayEquals(bytes, res.body());
        assertEquals("inline; filename*=utf-8''other%20name.txt", res.header("Content-Disposition"));
        assertEquals("text/plain", res.header("Content-Type"));
    }

    @Test
    void identicalUploadsAreStoredOnce() throws IOException {
        var eve = server.register("media_eve");
        byte[] bytes = random(5000);
        String first = upload(eve, bytes, "application/octet-stream", null);
        String second = upload(eve, bytes, "application/octet-stream", "copy.bin");
        assertNotEquals(first, second);
        String sha = java.util.HexFormat.of().formatHex(sha256(bytes));
        Path file = server.dataDir().resolve("media").resolve("content").resolve(sha.substring(0, 2))
                .resolve(sha.substring(2, 4)).resolve(sha);
        assertTrue(Files.isRegularFile(file), "content-addressed file " + file);
        assertArrayEquals(bytes, Files.readAllBytes(file));
        assertArrayEquals(bytes, get(eve, "/_matrix/client/v1/media/download/" + second).assertStatus(200).body());
        try (var tmp = Files.list(server.dataDir().resolve("media").resolve("tmp"))) {
            assertEquals(0, tmp.count(), "no temp files left");
        }
    }

    @Test
    void thumbnailsScaleAndCropARealPng() {
        var fay = server.register("media_fay");
        String mxc = upload(fay, image(1000, 500, "png"), "image/png", "wide.png");
        String base = "/_matrix/client/v1/media/thumbnail/" + mxc;
        var scaled = get(fay, base + "?width=320&height=240&method=scale").assertStatus(200);
        assertEquals("image/png", scaled.header("Content-Type"));
        assertEquals("inline; filename=thumbnail.png", scaled.header("Content-Disposition"));
        assertEquals(MediaRoutes.CONTENT_SECURITY_POLICY, scaled.header("Content-Security-Policy"));
        BufferedImage s = decode(scaled.body());
        assertEquals(320, s.getWidth());
        assertEquals(160, s.getHeight()); // aspect kept, fits in 320x240
        BufferedImage c = decode(get(fay, base + "?width=96&height=96&method=crop").assertStatus(200).body());
        assertEquals(96, c.getWidth());
        assertEquals(96, c.getHeight()); // the requested aspect
        // A size between the configured ones gets the nearest larger one, never a smaller one.
        BufferedImage between = decode(get(fay, base + "?width=50&height=50&method=crop").assertStatus(200).body());
        assertEquals(96, between.getWidth());
        // Scale fits the image in the box: 700x400 needs at least 700x350, so 800x400 (640x320 is too small).
        BufferedImage big = decode(get(fay, base + "?width=700&height=400&method=scale").assertStatus(200).body());
        assertEquals(800, big.getWidth());
        assertEquals(400, big.getHeight());
        // Default method is scale; asking again is served from the cache, same bytes.
        var again = get(fay, base + "?width=320&height=240").assertStatus(200);
        assertArrayEquals(scaled.body(), again.body());
        assertEquals(1, countRows("SELECT COUNT(*) FROM media_thumbnails WHERE width = 320 AND height = 160"));
        // animated=true on a still image behaves as false.
        assertArrayEquals(scaled.body(), get(fay, base + "?width=320&height=240&animated=true").assertStatus(200).body());
    }

    @Test
    void jpegThumbnailsStayJpegAndSmallImagesAreNotUpscaled() {
        var gus = server.register("media_gus");
        String jpeg = upload(gus, image(800, 600, "jpg"), "image/jpeg", "photo.jpg");
        var res = get(gus, "/_matrix/client/v1/media/thumbnail/" + jpeg + "?width=640&height=480&method=scale").assertStatus(200);
        assertEquals("image/jpeg", res.header("Content-Type"));
        BufferedImage t = decode(res.body());
        assertEquals(640, t.getWidth());
        assertEquals(480, t.getHeight());
        byte[] small = image(20, 10, "png");
        String tiny = upload(gus, small, "image/png", null);
        // Smaller than asked: the original content, not an upscaled copy.
        res = get(gus, "/_matrix/client/v1/media/thumbnail/" + tiny + "?width=320&height=240&method=scale").assertStatus(200);
        assertArrayEquals(small, res.body());
        BufferedImage crop = decode(get(gus, "/_matrix/client/v1/media/thumbnail/" + tiny + "?width=96&height=96&method=crop")
                .assertStatus(200).body());
        assertTrue(crop.getWidth() <= 20 && crop.getHeight() <= 10, crop.getWidth() + "x" + crop.getHeight());
        // GIF is read too (its first frame).
        String gif = upload(gus, image(400, 400, "gif"), "image/gif", null);
        var g = get(gus, "/_matrix/client/v1/media/thumbnail/" + gif + "?width=32&height=32&method=crop").assertStatus(200);
        assertEquals("image/png", g.header("Content-Type"));
        assertEquals(32, decode(g.body()).getWidth());
        // WebP through TwelveMonkeys: Modernizr's 1x1 lossless and lossy probes (no WebP encoder here to make larger ones).
        for (String webp : java.util.List.of("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==",
                "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")) {
            String w = upload(gus, java.util.Base64.getDecoder().decode(webp), "image/webp", null);
            var t1 = get(gus, "/_matrix/client/v1/media/thumbnail/" + w + "?width=32&height=32&method=crop").assertStatus(200);
            assertEquals("image/png", t1.header("Content-Type"));
            assertEquals(1, decode(t1.body()).getWidth());
        }
    }

    @Test
    void animatedGifsStayAnimatedOnlyWhenAskedAndSmallEnough() {
        var ann = server.register("media_gifs");
        byte[] small = animatedGif(100, 80, 3);
        String mxc = upload(ann, small, "image/gif", null);
        String base = "/_matrix/client/v1/media/thumbnail/" + mxc;
        // Within the size asked for: the original, every frame of it.
        var animated = get(ann, base + "?width=320&height=240&animated=true").assertStatus(200);
        assertEquals("image/gif", animated.header("Content-Type"));
        assertEquals("inline; filename=thumbnail.gif", animated.header("Content-Disposition"));
        assertArrayEquals(small, animated.body());
        assertEquals(3, gifFrames(animated.body()));
        // Not asked (or asked not to): a still PNG of the first frame.
        for (String query : List.of("", "&animated=false")) {
            var still = get(ann, base + "?width=320&height=240" + query).assertStatus(200);
            assertEquals("image/png", still.header("Content-Type"));
            assertEquals(100, decode(still.body()).getWidth());
        }
        // Larger than the thumbnail: animated=true falls back to a still one (spec: as though animated were false).
        String large = upload(ann, animatedGif(1000, 800, 2), "image/gif", null);
        var scaled = get(ann, "/_matrix/client/v1/media/thumbnail/" + large + "?width=320&height=240&animated=true")
                .assertStatus(200);
        assertEquals("image/png", scaled.header("Content-Type"));
        assertEquals(300, decode(scaled.body()).getWidth());
    }

    static byte[] animatedGif(int width, int height, int frames) {
        var out = new ByteArrayOutputStream();
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (var ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames; i++) {
                var img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(i % 2 == 0 ? Color.RED : Color.GREEN);
                g.fillRect(0, 0, width, height);
                g.dispose();
                writer.writeToSequence(new javax.imageio.IIOImage(img, null, null), null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static int gifFrames(byte[] gif) {
        javax.imageio.ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (var in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(gif))) {
            reader.setInput(in);
            return reader.getNumImages(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            reader.dispose();
        }
    }

    @Test
    void nonImagesAndBrokenImagesCannotBeThumbnailed() {
        var hal = server.register("media_hal");
        String text = upload(hal, "just text".getBytes(StandardCharsets.UTF_8), "text/plain", null);
        get(hal, "/_matrix/client/v1/media/thumbnail/" + text + "?width=32&height=32").assertError(400, "M_UNKNOWN");
        // Claims to be a PNG, is not one.
        String liar = upload(hal, "<html>not a png</html>".getBytes(StandardCharsets.UTF_8), "image/png", null);
        get(hal, "/_matrix/client/v1/media/thumbnail/" + liar + "?width=32&height=32").assertError(400, "M_UNKNOWN");
        // ... and is served as what it obviously is not: an opaque attachment (spec: "reasonably close" types).
        var lie = get(hal, "/_matrix/client/v1/media/download/" + liar).assertStatus(200);
        assertEquals("application/octet-stream", lie.header("Content-Type"));
        assertEquals("attachment", lie.header("Content-Disposition"));
        // A real JPEG claimed as PNG is not a PNG either.
        String jpegAsPng = upload(hal, image(50, 50, "jpg"), "image/png", null);
        assertEquals("application/octet-stream", get(hal, "/_matrix/client/v1/media/download/" + jpegAsPng).header("Content-Type"));
        // A PNG whose header claims 100000x100000 pixels (a decompression bomb): refused before decoding.
        String bomb = upload(hal, pngHeaderOnly(100_000, 100_000), "image/png", null);
        get(hal, "/_matrix/client/v1/media/thumbnail/" + bomb + "?width=32&height=32").assertError(413, "M_TOO_LARGE");
        // Truncated image data.
        byte[] png = image(300, 300, "png");
        String cut = upload(hal, java.util.Arrays.copyOf(png, png.length / 2), "image/png", null);
        get(hal, "/_matrix/client/v1/media/thumbnail/" + cut + "?width=32&height=32&method=crop").assertError(400, "M_UNKNOWN");
        assertEquals(0, countRows("SELECT COUNT(*) FROM media_thumbnails WHERE width = 32 AND height = 32 AND method = 'crop' AND size_bytes = 0"));
        // Nothing was stored for any refused thumbnail.
        for (String refused : List.of(text, liar, bomb, cut)) {
            String id = refused.substring(refused.indexOf('/') + 1);
            assertEquals(0, countRows("SELECT COUNT(*) FROM media_thumbnails t JOIN media m ON m.sha256 = t.sha256"
                    + " WHERE m.media_id = '" + id + "'"), refused);
        }
    }

    @Test
    void thumbnailParametersAreChecked() {
        var ivy = server.register("media_ivy");
        String mxc = upload(ivy, image(100, 100, "png"), "image/png", null);
        String base = "/_matrix/client/v1/media/thumbnail/" + mxc;
        get(ivy, base + "?height=32").assertError(400, "M_MISSING_PARAM");
        get(ivy, base + "?width=abc&height=32").assertError(400, "M_INVALID_PARAM");
        get(ivy, base + "?width=-5&height=32").assertError(400, "M_INVALID_PARAM");
        get(ivy, base + "?width=32&height=32&method=zoom").assertError(400, "M_INVALID_PARAM");
        get(ivy, base + "?width=32&height=32&animated=maybe").assertError(400, "M_INVALID_PARAM");
        get(ivy, base + "?width=32&height=32&timeout_ms=soon").assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void unknownAndRemoteMediaIsNotFound() {
        var jay = server.register("media_jay");
        String ours = server.serverName();
        get(jay, "/_matrix/client/v1/media/download/" + ours + "/NoSuchMedia").assertError(404, "M_NOT_FOUND");
        get(jay, "/_matrix/client/v1/media/download/" + ours + "/bad.id").assertError(404, "M_NOT_FOUND");
        get(jay, "/_matrix/client/v1/media/thumbnail/" + ours + "/NoSuchMedia?width=32&height=32").assertError(404, "M_NOT_FOUND");
        // Remote media comes over federation (RemoteMediaIT); a server that cannot be reached is a 502, as Synapse.
        get(jay, "/_matrix/client/v1/media/download/other.invalid/abcdef").assertError(502, "M_UNKNOWN");
        get(jay, "/_matrix/client/v1/media/thumbnail/other.invalid/abcdef?width=32&height=32").assertError(502, "M_UNKNOWN");
        get(jay, "/_matrix/client/v1/media/download/other.invalid/bad.id").assertError(404, "M_NOT_FOUND");
        get(jay, "/_matrix/client/v1/media/download/bad_server!/abcdef").assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void authenticatedEndpointsNeedAToken() {
        var kim = server.register("media_kim");
        String mxc = upload(kim, random(10), "application/octet-stream", null);
        get(null, "/_matrix/client/v1/media/download/" + mxc).assertError(401, "M_MISSING_TOKEN");
        get(null, "/_matrix/client/v1/media/download/" + mxc + "/x.bin").assertError(401, "M_MISSING_TOKEN");
        get(null, "/_matrix/client/v1/media/thumbnail/" + mxc + "?width=32&height=32").assertError(401, "M_MISSING_TOKEN");
        get(null, "/_matrix/client/v1/media/config").assertError(401, "M_MISSING_TOKEN");
        request("GET", "/_matrix/client/v1/media/config", "not-a-token", HttpRequest.BodyPublishers.noBody())
                .assertError(401, "M_UNKNOWN_TOKEN");
        request("POST", "/_matrix/media/v3/upload", null, HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                .assertError(401, "M_MISSING_TOKEN");
        request("POST", "/_matrix/media/v1/create", null, HttpRequest.BodyPublishers.noBody())
                .assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void configGivesTheUploadLimit() {
        var lea = server.register("media_lea");
        assertEquals(MAX_UPLOAD, get(lea, "/_matrix/client/v1/media/config").assertStatus(200).json()
                .getJsonNumber("m.upload.size").longValue());
        assertEquals(MAX_UPLOAD, get(lea, "/_matrix/media/v3/config").assertStatus(200).json()
                .getJsonNumber("m.upload.size").longValue());
        request("POST", "/_matrix/client/v1/media/config", lea.accessToken(), HttpRequest.BodyPublishers.noBody())
                .assertError(405, "M_UNRECOGNIZED");
        // URL previews are off by default: absent, as in Synapse.
        get(lea, "/_matrix/client/v1/media/preview_url?url=http://example.org/").assertError(404, "M_UNRECOGNIZED");
        get(lea, "/_matrix/media/v3/preview_url?url=http://example.org/").assertError(404, "M_UNRECOGNIZED");
    }

    @Test
    void uploadsOverTheLimitAre413AndStoreNothing() throws IOException {
        var max = server.register("media_max");
        long before = countRows("SELECT COUNT(*) FROM media");
        // Expect: 100-continue, as careful clients send large bodies: the 413 comes before the body is sent. Without
        // it the server's close of a half-read upload can reset the connection before the client reads the 413.
        var declared = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().clientPort()
                        + "/_matrix/media/v3/upload")).expectContinue(true).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + max.accessToken()).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(random(MAX_UPLOAD + 1))).build();
        try {
            HttpResponse<byte[]> res = HTTP.send(declared, HttpResponse.BodyHandlers.ofByteArray());
            new Bytes(res.statusCode(), res.headers(), res.body()).assertError(413, "M_TOO_LARGE");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        // Chunked (no Content-Length): counted while streaming.
        byte[] big = random(MAX_UPLOAD + 1);
        request("POST", "/_matrix/media/v3/upload", max.accessToken(),
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)), "Content-Type", "image/png")
                .assertError(413, "M_TOO_LARGE");
        assertEquals(before, countRows("SELECT COUNT(*) FROM media"));
        try (var tmp = Files.list(server.dataDir().resolve("media").resolve("tmp"))) {
            assertEquals(0, tmp.count(), "no temp files left");
        }
        // Exactly at the limit is fine, chunked too.
        byte[] exact = random(MAX_UPLOAD);
        String uri = request("POST", "/_matrix/media/v3/upload", max.accessToken(),
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(exact)))
                .assertStatus(200).json().getString("content_uri").substring("mxc://".length());
        assertArrayEquals(exact, get(max, "/_matrix/client/v1/media/download/" + uri).assertStatus(200).body());
        // JSON endpoints keep their own (smaller) limit.
        request("PUT", "/_matrix/client/v3/profile/" + max.userId() + "/displayname", max.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(random((int) TestServer.MAX_BODY_BYTES + 1)),
                "Content-Type", "application/json").assertError(413, "M_TOO_LARGE");
    }

    @Test
    void asyncUploadByTheCreatorOnlyAndOnce() {
        var ned = server.register("media_ned");
        var oz = server.register("media_oz");
        long now = System.currentTimeMillis();
        JsonObject created = request("POST", "/_matrix/media/v1/create", ned.accessToken(),
                HttpRequest.BodyPublishers.noBody()).assertStatus(200).json();
        String mxc = created.getString("content_uri").substring("mxc://".length());
        long expires = created.getJsonNumber("unused_expires_at").longValue();
        assertTrue(expires > now + 23 * 3600_000L && expires <= System.currentTimeMillis() + 24 * 3600_000L, "24 hours");
        get(ned, "/_matrix/client/v1/media/download/" + mxc + "?timeout_ms=0").assertError(504, "M_NOT_YET_UPLOADED");
        get(ned, "/_matrix/client/v1/media/thumbnail/" + mxc + "?width=32&height=32&timeout_ms=0").assertError(504, "M_NOT_YET_UPLOADED");
        byte[] bytes = random(1000);
        request("PUT", "/_matrix/media/v3/upload/" + mxc, oz.accessToken(), HttpRequest.BodyPublishers.ofByteArray(bytes))
                .assertError(403, "M_FORBIDDEN");
        request("PUT", "/_matrix/media/v3/upload/" + server.serverName() + "/NeverCreated", ned.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(bytes)).assertError(404, "M_NOT_FOUND");
        request("PUT", "/_matrix/media/v3/upload/other.example/" + mxc.substring(mxc.indexOf('/') + 1), ned.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(bytes)).assertError(404, "M_NOT_FOUND");
        // A download waiting for the upload is answered once it arrives.
        CompletableFuture<Bytes> waiting = CompletableFuture.supplyAsync(
                () -> get(ned, "/_matrix/client/v1/media/download/" + mxc + "?timeout_ms=15000"));
        sleep(300);
        var put = request("PUT", "/_matrix/media/v3/upload/" + mxc + "?filename=late.bin", ned.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(bytes), "Content-Type", "application/zip").assertStatus(200);
        assertEquals(0, put.json().size());
        var res = waiting.join().assertStatus(200);
        assertArrayEquals(bytes, res.body());
        assertEquals("application/zip", res.header("Content-Type"));
        assertEquals("attachment; filename=late.bin", res.header("Content-Disposition"));
        request("PUT", "/_matrix/media/v3/upload/" + mxc, ned.accessToken(), HttpRequest.BodyPublishers.ofByteArray(random(10)))
                .assertError(409, "M_CANNOT_OVERWRITE_MEDIA");
        assertArrayEquals(bytes, get(ned, "/_matrix/client/v1/media/download/" + mxc).assertStatus(200).body());
    }

    @Test
    void pendingCreatesAreLimitedPerUser() {
        var pat = server.register("media_pat");
        for (int i = 0; i < 3; i++) {
            request("POST", "/_matrix/media/v1/create", pat.accessToken(), HttpRequest.BodyPublishers.noBody()).assertStatus(200);
        }
        var refused = request("POST", "/_matrix/media/v1/create", pat.accessToken(), HttpRequest.BodyPublishers.noBody())
                .assertError(429, "M_LIMIT_EXCEEDED");
        assertTrue(refused.json().getJsonNumber("retry_after_ms").longValue() > 0);
        // Once one expires (made so here, in the database), its slot is free again and the expired ID is gone.
        String oldest = firstString("SELECT media_id FROM media WHERE uploader = '" + pat.userId() + "' ORDER BY created_ts LIMIT 1");
        update("UPDATE media SET unused_expires_ts = 1 WHERE media_id = '" + oldest + "'");
        String mxc = server.serverName() + "/" + oldest;
        get(pat, "/_matrix/client/v1/media/download/" + mxc + "?timeout_ms=0").assertError(404, "M_NOT_FOUND");
        request("PUT", "/_matrix/media/v3/upload/" + mxc, pat.accessToken(), HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                .assertError(404, "M_NOT_FOUND");
        request("POST", "/_matrix/media/v1/create", pat.accessToken(), HttpRequest.BodyPublishers.noBody()).assertStatus(200);
        assertEquals(0, countRows("SELECT COUNT(*) FROM media WHERE media_id = '" + oldest + "'"));
        request("POST", "/_matrix/media/v1/create", pat.accessToken(), HttpRequest.BodyPublishers.noBody())
                .assertError(429, "M_LIMIT_EXCEEDED");
        // Others are not affected.
        var quinn = server.register("media_quinn");
        request("POST", "/_matrix/media/v1/create", quinn.accessToken(), HttpRequest.BodyPublishers.noBody()).assertStatus(200);
    }

    @Test
    void deprecatedEndpointsDoNotServeMediaUploadedDuringTheFreeze() {
        var ray = server.register("media_ray");
        byte[] png = image(100, 100, "png");
        String mxc = upload(ray, png, "image/png", null);
        get(null, "/_matrix/media/v3/download/" + mxc).assertError(404, "M_NOT_FOUND");
        get(ray, "/_matrix/media/v3/download/" + mxc).assertError(404, "M_NOT_FOUND");
        get(null, "/_matrix/media/r0/thumbnail/" + mxc + "?width=32&height=32").assertError(404, "M_NOT_FOUND");
        // Uploads through r0 still work.
        String viaR0 = request("POST", "/_matrix/media/r0/upload", ray.accessToken(), HttpRequest.BodyPublishers.ofByteArray(png),
                "Content-Type", "image/png").assertStatus(200).json().getString("content_uri").substring("mxc://".length());
        assertArrayEquals(png, get(ray, "/_matrix/client/v1/media/download/" + viaR0).assertStatus(200).body());
    }

    private static String firstString(String sql) {
        try (var c = server.server().database().dataSource().getConnection();
             var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(String sql) {
        try (var c = server.server().database().dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long countRows(String sql) {
        try (var c = server.server().database().dataSource().getConnection();
             var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PNG of just its signature, IHDR (with these dimensions), an empty IDAT and IEND. */
    static byte[] pngHeaderOnly(int width, int height) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[0]);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
