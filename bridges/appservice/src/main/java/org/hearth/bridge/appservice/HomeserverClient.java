package org.hearth.bridge.appservice;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Client-Server API as the appservice (spec: Application Service API, "Client-Server API extensions"): every
 * request carries the {@code as_token}, and {@code user_id} names the virtual user it acts as. Rate-limit answers
 * (429) are waited out a few times before they reach the caller.
 */
public final class HomeserverClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int RETRIES_ON_429 = 3;

    private final URI base;
    private final Registration registration;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, Intent> intents = new ConcurrentHashMap<>();
    private volatile String serverName;

    public HomeserverClient(URI base, Registration registration) {
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.registration = registration;
    }

    public Registration registration() {
        return registration;
    }

    /** The homeserver's name, from whoami of the bridge's bot (the domain of its sender). */
    public String serverName() {
        if (serverName == null) {
            String bot = call("GET", "/_matrix/client/v3/account/whoami", null, null).getString("user_id");
            serverName = bot.substring(bot.indexOf(':') + 1);
        }
        return serverName;
    }

    public String botUserId() {
        return "@" + registration.senderLocalpart() + ":" + serverName();
    }

    /** The bridge's bot (the registration's sender). */
    public Intent bot() {
        return intent(botUserId());
    }

    /** The intent for a user ID in the namespace; one per user, so its registered/joined caches are shared. */
    public Intent intent(String userId) {
        return intents.computeIfAbsent(userId, u -> new Intent(this, u, u.equals(botUserId())));
    }

    /** Spec: {@code POST /_matrix/client/v1/appservice/{appserviceId}/ping}; the round trip in ms. */
    public long ping(String transactionId) {
        return call("POST", "/_matrix/client/v1/appservice/" + enc(registration.id()) + "/ping", null,
                Json.createObjectBuilder().add("transaction_id", transactionId).build()).getJsonNumber("duration_ms").longValue();
    }

    /** A JSON request as the appservice; {@code asUser} null means the sender. */
    public JsonObject call(String method, String path, String asUser, JsonObject body) {
        String uri = base + path;
        if (asUser != null) {
            uri += (path.contains("?") ? "&" : "?") + "user_id=" + enc(asUser);
        }
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString());
        return send(HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT)
                .header("Content-Type", "application/json").method(method, publisher));
    }

    /** An upload to the media repository as {@code asUser}: the {@code mxc://} URI. */
    public String upload(byte[] bytes, String contentType, String filename, String asUser) {
        String uri = base + "/_matrix/media/v3/upload?filename=" + enc(filename)
                + (asUser == null ? "" : "&user_id=" + enc(asUser));
        return send(HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))).getString("content_uri");
    }

    private JsonObject send(HttpRequest.Builder request) {
        request.header("Authorization", "Bearer " + registration.asToken());
        HttpRequest built = request.build();
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = http.send(built, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new MatrixException(0, "M_CONNECTION_FAILED", e.toString(), OptionalLong.empty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MatrixException(0, "M_CONNECTION_FAILED", "interrupted", OptionalLong.empty());
            }
            JsonObject answer = parse(response.body());
            if (response.statusCode() / 100 == 2) {
                return answer;
            }
            OptionalLong retryAfter = answer.containsKey("retry_after_ms")
                    ? OptionalLong.of(answer.getJsonNumber("retry_after_ms").longValue()) : OptionalLong.empty();
            if (response.statusCode() == 429 && attempt < RETRIES_ON_429) {
                sleep(retryAfter.orElse(1000));
                continue;
            }
            throw new MatrixException(response.statusCode(), answer.getString("errcode", "M_UNKNOWN"),
                    answer.getString("error", response.body()), retryAfter);
        }
    }

    private static JsonObject parse(String body) {
        if (body == null || body.isBlank()) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        try {
            return Json.createReader(new StringReader(body)).readObject();
        } catch (RuntimeException e) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.min(ms, 60_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
