package org.hearth.bridge.telegram;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Telegram Bot API calls the import needs: {@code getStickerSet}, {@code getFile} and the file download. A 429
 * is waited out for its {@code parameters.retry_after} seconds (a few times); errors become {@link TelegramException}
 * with a message for the user.
 */
public final class BotApi {
    static final int MAX_RETRIES = 5;
    private static final long MAX_WAIT_SECONDS = 120;

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    /** {@code apiBase}: {@code https://api.telegram.org} in production, a fake on loopback in tests. */
    public BotApi(String apiBase, String token) {
        this.base = apiBase.replaceAll("/+$", "");
        this.token = token;
    }

    public StickerSet getStickerSet(String name) {
        try {
            return StickerSet.parse(call("getStickerSet", "name=" + enc(name)).asJsonObject());
        } catch (TelegramException e) {
            if (e.getMessage().contains("STICKERSET_INVALID")) {
                throw new TelegramException(e.errorCode(), "Telegram has no sticker set named \"" + name
                        + "\" (STICKERSET_INVALID): check the link or the name.");
            }
            throw e;
        }
    }

    /** The {@code file_path} to download a file from. */
    public String getFilePath(String fileId) {
        return call("getFile", "file_id=" + enc(fileId)).asJsonObject().getString("file_path");
    }

    public byte[] download(String filePath) {
        HttpResponse<byte[]> response = withRetries(URI.create(base + "/file/bot" + token + "/" + filePath),
                HttpResponse.BodyHandlers.ofByteArray(), r -> retryAfter(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8)));
        if (response.statusCode() != 200) {
            throw new TelegramException(response.statusCode(), "Telegram refused the download of " + filePath
                    + " (HTTP " + response.statusCode() + ")");
        }
        return response.body();
    }

    public byte[] downloadFile(String fileId) {
        return download(getFilePath(fileId));
    }

    private jakarta.json.JsonValue call(String method, String query) {
        HttpResponse<String> response = withRetries(URI.create(base + "/bot" + token + "/" + method + "?" + query),
                HttpResponse.BodyHandlers.ofString(), r -> retryAfter(r.statusCode(), r.body()));
        JsonObject answer;
        try {
            answer = Json.createReader(new StringReader(response.body())).readObject();
        } catch (RuntimeException e) {
            throw new TelegramException(response.statusCode(), "Telegram answered " + method
                    + " with something that is not JSON (HTTP " + response.statusCode() + ")");
        }
        if (!answer.getBoolean("ok", false)) {
            throw new TelegramException(answer.getInt("error_code", response.statusCode()),
                    "Telegram refused " + method + ": " + answer.getString("description", "no description"));
        }
        return answer.get("result");
    }

    // Seconds to wait when the answer is a 429 with retry_after, else -1.
    private static long retryAfter(int status, String body) {
        if (status != 429) {
            return -1;
        }
        try {
            JsonObject o = Json.createReader(new StringReader(body)).readObject();
            return o.containsKey("parameters") ? o.getJsonObject("parameters").getJsonNumber("retry_after").longValue() : 1;
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private <T> HttpResponse<T> withRetries(URI uri, HttpResponse.BodyHandler<T> handler,
                                            java.util.function.ToLongFunction<HttpResponse<T>> retryAfter) {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<T> response;
            try {
                response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(), handler);
            } catch (IOException e) {
                throw new TelegramException(0, "Telegram could not be reached: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TelegramException(0, "interrupted while talking to Telegram");
            }
            long wait = retryAfter.applyAsLong(response);
            if (wait < 0 || attempt >= MAX_RETRIES) {
                if (wait >= 0) {
                    throw new TelegramException(429, "Telegram kept asking to slow down (429); try again later.");
                }
                return response;
            }
            try {
                Thread.sleep(Duration.ofSeconds(Math.min(Math.max(wait, 0), MAX_WAIT_SECONDS)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TelegramException(0, "interrupted while waiting for Telegram's retry_after");
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
