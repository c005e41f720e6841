package org.hearth.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.concurrent.Flow;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The error mapping on a bare listener with routes made to fail in each way (no database needed). */
class MatrixErrorsTest {
    private static final long LIMIT = 1024;
    private static WebServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        JsonBody body = new JsonBody(LIMIT);
        HttpRouting.Builder routing = HttpRouting.builder()
                .get("/bug", (req, res) -> {
                    throw new IllegalStateException("secret internal detail");
                })
                .get("/forbidden", (req, res) -> {
                    throw new MatrixException(ErrorCode.FORBIDDEN, "not yours");
                })
                .get("/helidon-413", (req, res) -> {
                    throw new HttpException("too big", Status.REQUEST_ENTITY_TOO_LARGE_413);
                })
                .post("/echo", (req, res) -> Reply.json(res, 200, body.read(req)));
        MatrixErrors.install(routing);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .maxPayloadSize(LIMIT)
                .directHandlers(MatrixErrors.directHandlers())
                .routing(routing)
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).method(method, body).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject assertError(HttpResponse<String> res, int status, String errcode) {
        assertEquals(status, res.statusCode(), res.body());
        assertEquals("application/json", res.headers().firstValue("Content-Type").orElse(""));
        JsonObject error = Json.parseObject(res.body());
        assertEquals(errcode, error.getString("errcode"));
        assertEquals(2, error.size(), res.body());
        return error;
    }

    @Test
    void unexpectedExceptionIs500WithAPlainMessageAndNoDetail() throws Exception {
        var res = send("GET", "/bug", HttpRequest.BodyPublishers.noBody());
        JsonObject error = assertError(res, 500, "M_UNKNOWN");
        assertEquals("Internal server error", error.getString("error"));
        assertFalse(res.body().contains("secret"), res.body());
        assertFalse(res.body().contains("at org."), res.body());
    }

    @Test
    void matrixExceptionKeepsItsCodeAndStatus() throws Exception {
        assertEquals("not yours", assertError(send("GET", "/forbidden", HttpRequest.BodyPublishers.noBody()), 403, "M_FORBIDDEN")
                .getString("error"));
    }

    @Test
    void helidonHttpExceptionIsMapped() throws Exception {
        assertError(send("GET", "/helidon-413", HttpRequest.BodyPublishers.noBody()), 413, "M_TOO_LARGE");
    }

    @Test
    void malformedJsonBodyIsNotJson() throws Exception {
        assertError(send("POST", "/echo", HttpRequest.BodyPublishers.ofString("{\"a\":")), 400, "M_NOT_JSON");
    }

    @Test
    void emptyBodyIsNotJson() throws Exception {
        assertError(send("POST", "/echo", HttpRequest.BodyPublishers.noBody()), 400, "M_NOT_JSON");
    }

    @Test
    void nonObjectBodyIsBadJson() throws Exception {
        assertError(send("POST", "/echo", HttpRequest.BodyPublishers.ofString("[1,2]")), 400, "M_BAD_JSON");
    }

    @Test
    void validBodyIsRead() throws Exception {
        var res = send("POST", "/echo", HttpRequest.BodyPublishers.ofString("{\"a\":[1,2]}"));
        assertEquals(200, res.statusCode());
        assertEquals(Json.parseObject("{\"a\":[1,2]}"), Json.parseObject(res.body()));
    }

    @Test
    void oversizedBodyWithContentLengthIsTooLarge() throws Exception {
        String big = "{\"a\":\"" + "x".repeat((int) LIMIT) + "\"}";
        assertError(send("POST", "/echo", HttpRequest.BodyPublishers.ofString(big)), 413, "M_TOO_LARGE");
    }

    @Test
    void oversizedChunkedBodyIsTooLarge() throws Exception {
        // No Content-Length: the size is only known while reading.
        byte[] chunk = "{\"a\":\"".concat("x".repeat(200)).getBytes();
        var res = send("POST", "/echo", HttpRequest.BodyPublishers.fromPublisher(chunks(chunk, 20)));
        assertError(res, 413, "M_TOO_LARGE");
    }

    @Test
    void unknownPathIs404Unrecognized() throws Exception {
        assertError(send("GET", "/nothing", HttpRequest.BodyPublishers.noBody()), 404, "M_UNRECOGNIZED");
    }

    @Test
    void headGetsTheErrorStatusWithoutABody() throws Exception {
        var res = send("HEAD", "/nothing", HttpRequest.BodyPublishers.noBody());
        assertEquals(404, res.statusCode());
        assertEquals("", res.body());
        // The connection is still usable: a stray body would have been read as this response.
        assertError(send("GET", "/nothing", HttpRequest.BodyPublishers.noBody()), 404, "M_UNRECOGNIZED");
    }

    private static Flow.Publisher<java.nio.ByteBuffer> chunks(byte[] chunk, int count) {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
            private final Iterator<Integer> bytes = java.util.stream.IntStream.range(0, chunk.length * count)
                    .map(i -> chunk[i % chunk.length]).iterator();

            @Override
            public int read() {
                return bytes.hasNext() ? bytes.next() : -1;
            }
        });
    }
}
