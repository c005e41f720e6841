package org.hearth.bridge.telegram;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Telegram Bot API on loopback, replaying recorded answers: {@code getStickerSet} by set name, {@code getFile}
 * and downloads for the files the test made, STICKERSET_INVALID for unknown sets, and a 429 with
 * {@code retry_after} for the first request of a "slow" set.
 */
final class FakeBotApi implements AutoCloseable {
    static final String TOKEN = "123456:TEST-token";

    private final HttpServer http;
    final Map<String, String> sets = new ConcurrentHashMap<>();
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> tooManyRequests = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    FakeBotApi() {
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext("/", this::handle);
        http.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** A file the bot can fetch: getFile answers with path {@code stickers/<fileId>.<ext>}. */
    void file(String fileId, String ext, byte[] bytes) {
        files.put("stickers/" + fileId + "." + ext, bytes);
    }

    int count(String prefix) {
        return (int) requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        String param = query == null ? "" : URLDecoder.decode(query.substring(query.indexOf('=') + 1), StandardCharsets.UTF_8);
        requests.add(path.replace(TOKEN, "TOKEN") + (query == null ? "" : "?" + param));
        if (path.equals("/bot" + TOKEN + "/getStickerSet")) {
            AtomicInteger slow = tooManyRequests.get(param);
            if (slow != null && slow.getAndDecrement() > 0) {
                reply(exchange, 429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 1\","
                        + "\"parameters\":{\"retry_after\":1}}");
            } else if (sets.containsKey(param)) {
                reply(exchange, 200, "{\"ok\":true,\"result\":" + sets.get(param) + "}");
            } else {
                reply(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: STICKERSET_INVALID\"}");
            }
        } else if (path.equals("/bot" + TOKEN + "/getFile")) {
            String found = files.keySet().stream().filter(k -> k.startsWith("stickers/" + param + ".")).findFirst().orElse(null);
            if (found == null) {
                reply(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: invalid file_id\"}");
            } else {
                reply(exchange, 200, "{\"ok\":true,\"result\":{\"file_id\":\"" + param + "\",\"file_unique_id\":\"u" + param
                        + "\",\"file_size\":" + files.get(found).length + ",\"file_path\":\"" + found + "\"}}");
            }
        } else if (path.startsWith("/file/bot" + TOKEN + "/")) {
            byte[] bytes = files.get(path.substring(("/file/bot" + TOKEN + "/").length()));
            if (bytes == null) {
                reply(exchange, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
            } else {
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            }
        } else {
            reply(exchange, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
