package org.hearth.server.appservice;

import jakarta.json.JsonValue;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.hearth.core.appservice.AppService;
import org.hearth.spec.json.Json;

/**
 * Requests from the homeserver to an appservice (spec: "Querying"): whether it has a user or an alias (it creates
 * them while answering), and the third-party lookups. A down or failing appservice is an empty answer, never an error
 * for the client that caused the query.
 */
public final class AppServiceQueries {
    private static final Logger LOG = System.getLogger(AppServiceQueries.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** {@code GET /_matrix/app/v1/users/{userId}}: true when the appservice says it has (now created) the user. */
    public boolean queryUser(AppService as, String userId) {
        return get(as, "/_matrix/app/v1/users/" + enc(userId)).isPresent();
    }

    /** {@code GET /_matrix/app/v1/rooms/{roomAlias}}: true when the appservice says it has (now created) the alias. */
    public boolean queryAlias(AppService as, String alias) {
        return get(as, "/_matrix/app/v1/rooms/" + enc(alias)).isPresent();
    }

    /** A GET under the appservice's URL with its hs_token: the JSON body of a 2xx answer, else empty. */
    public Optional<JsonValue> get(AppService as, String pathAndQuery) {
        if (as.url() == null) {
            return Optional.empty();
        }
        var request = HttpRequest.newBuilder(URI.create(as.url() + pathAndQuery))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + as.hsToken())
                .GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                return Optional.empty();
            }
            String body = response.body();
            return Optional.of(body == null || body.isBlank() ? JsonValue.EMPTY_JSON_OBJECT : Json.parse(body));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.INFO, "appservice " + as.id() + " query " + pathAndQuery + " failed: " + e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
