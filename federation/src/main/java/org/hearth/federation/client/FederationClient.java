package org.hearth.federation.client;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.hearth.federation.discovery.Destination;
import org.hearth.federation.discovery.ServerNameResolver;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.federation.XMatrix;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;

/**
 * Outbound Server-Server requests: resolves the destination's name, refuses denied IP ranges, signs every request
 * with an {@code X-Matrix} Authorization header (spec: "Request Authentication"), speaks HTTPS with the configured
 * trust, and turns the answer into JSON or a {@link FederationException}. Destinations that do not answer are
 * backed off.
 */
public final class FederationClient {
    private static final Logger LOG = System.getLogger(FederationClient.class.getName());
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    // Synapse's default federation request timeout.
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    // send_join answers of big rooms run to tens of megabytes.
    static final long MAX_RESPONSE_BYTES = 100L * 1024 * 1024;

    private final String serverName;
    private final SigningKey key;
    private final ServerNameResolver resolver;
    private final FederationTls tls;
    private final AddressFilter addresses;
    private final Backoff backoff;
    private final HttpsExchange https;

    public FederationClient(String serverName, SigningKey key, ServerNameResolver resolver, FederationTls tls,
                            AddressFilter addresses, Backoff backoff) {
        this.serverName = serverName;
        this.key = key;
        this.resolver = resolver;
        this.tls = tls;
        this.addresses = addresses;
        this.backoff = backoff;
        this.https = new HttpsExchange(tls);
    }

    public JsonObject get(String destination, String target) {
        return request("GET", destination, target, null, false);
    }

    public JsonObject post(String destination, String target, JsonObject body) {
        return request("POST", destination, target, body, false);
    }

    public JsonObject put(String destination, String target, JsonObject body) {
        return request("PUT", destination, target, body, false);
    }

    /**
     * One signed request. {@code target} is the path with its query, already percent-encoded, exactly as it goes on
     * the request line (it is what the signature covers). {@code ignoreBackoff} for requests that must be tried
     * anyway, such as key fetches.
     */
    public JsonObject request(String method, String destination, String target, JsonObject body,
                              boolean ignoreBackoff) {
        ServerName name = ServerName.tryParse(destination)
                .orElseThrow(() -> FederationException.unreachable(destination, "not a valid server name"));
        if (!ignoreBackoff) {
            long retryAt = backoff.retryAt(destination);
            if (retryAt > 0) {
                throw FederationException.unreachable(destination, "not answering; backing off until "
                        + Instant.ofEpochMilli(retryAt));
            }
        }
        XMatrix auth = XMatrix.sign(method, target, serverName, destination, body, key);
        byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = body == null
                ? Map.of("Authorization", auth.headerValue(), "Accept", "application/json")
                : Map.of("Authorization", auth.headerValue(), "Accept", "application/json",
                        "Content-Type", "application/json");
        return answer(destination, exchange(name, method, target, headers, bytes, MAX_RESPONSE_BYTES));
    }

    /** An answer that need not be JSON (media): its status, lower-case headers and body. */
    public record RawResponse(int status, Map<String, String> headers, byte[] body) {
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /**
     * A signed GET whose answer is returned as it is, whatever its status, at most {@code maxBytes} (a longer one
     * is a failure to reach the destination). {@code target} as for {@link #request}.
     */
    public RawResponse getRaw(String destination, String target, long maxBytes) {
        return getRaw(destination, target, maxBytes, null);
    }

    /**
     * The same with the body written to {@code bodyFile} rather than held in memory (the answer's body is empty);
     * a body over {@code maxBytes} throws {@code M_TOO_LARGE} without counting against the destination.
     */
    public RawResponse getRaw(String destination, String target, long maxBytes, Path bodyFile) {
        return requestRaw("GET", destination, target, null, maxBytes, bodyFile);
    }

    /**
     * A signed request whose answer is returned as it is, whatever its status and shape (the deprecated v1
     * endpoints answer {@code [status, body]} arrays). {@code target} as for {@link #request}.
     */
    public RawResponse requestRaw(String method, String destination, String target, JsonObject body, long maxBytes,
                                  Path bodyFile) {
        ServerName name = ServerName.tryParse(destination)
                .orElseThrow(() -> FederationException.unreachable(destination, "not a valid server name"));
        long retryAt = backoff.retryAt(destination);
        if (retryAt > 0) {
            throw FederationException.unreachable(destination, "not answering; backing off until "
                    + Instant.ofEpochMilli(retryAt));
        }
        XMatrix auth = XMatrix.sign(method, target, serverName, destination, body, key);
        byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = body == null ? Map.of("Authorization", auth.headerValue())
                : Map.of("Authorization", auth.headerValue(), "Content-Type", "application/json");
        var response = exchange(name, method, target, headers, bytes, maxBytes, bodyFile);
        return new RawResponse(response.status(), response.headers(), response.body());
    }

    /**
     * An unsigned GET of an HTTPS URL another server named (a media {@code Location}): the same address filter and
     * TLS trust as federation requests, no redirects followed.
     */
    public RawResponse getUrl(URI url, long maxBytes) {
        return getUrl(url, maxBytes, null);
    }

    /** The same with the body written to {@code bodyFile}, as {@link #getRaw(String, String, long, Path)}. */
    public RawResponse getUrl(URI url, long maxBytes, Path bodyFile) {
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw FederationException.unreachable(String.valueOf(url.getHost()), "only https URLs are fetched");
        }
        String host = url.getHost();
        int port = url.getPort() < 0 ? 443 : url.getPort();
        String target = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            target += "?" + url.getRawQuery();
        }
        String tlsName = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String hostHeader = url.getPort() < 0 ? host : host + ":" + port;
        List<String> problems = new ArrayList<>();
        for (InetAddress address : addresses(new Destination(tlsName, port, hostHeader, tlsName), problems)) {
            try {
                var response = https.send(address, port, tlsName, hostHeader, "GET", target, Map.of(), null,
                        CONNECT_TIMEOUT, READ_TIMEOUT, maxBytes, bodyFile);
                return new RawResponse(response.status(), response.headers(), response.body());
            } catch (HttpsExchange.BodyTooLarge e) {
                throw tooLarge(host, e);
            } catch (IOException e) {
                problems.add(address.getHostAddress() + ":" + port + ": " + e);
            }
        }
        throw FederationException.unreachable(host, problems.isEmpty() ? "no address to connect to"
                : String.join("; ", problems));
    }

    private HttpsExchange.Response exchange(ServerName name, String method, String target,
                                            Map<String, String> headers, byte[] bytes, long maxBytes) {
        return exchange(name, method, target, headers, bytes, maxBytes, null);
    }

    private HttpsExchange.Response exchange(ServerName name, String method, String target,
                                            Map<String, String> headers, byte[] bytes, long maxBytes,
                                            Path bodyFile) {
        String destination = name.value();
        List<String> problems = new ArrayList<>();
        for (Destination d : resolver.resolve(name)) {
            for (InetAddress address : addresses(d, problems)) {
                HttpsExchange.Response response;
                try {
                    response = https.send(address, d.port(), d.tlsName(), d.hostHeader(), method, target,
                            headers, bytes, CONNECT_TIMEOUT, READ_TIMEOUT, maxBytes, bodyFile);
                } catch (HttpsExchange.BodyTooLarge e) {
                    throw tooLarge(destination, e);
                } catch (SSLException e) {
                    problems.add(address.getHostAddress() + ":" + d.port() + ": TLS: " + e.getMessage());
                    continue;
                } catch (IOException e) {
                    problems.add(address.getHostAddress() + ":" + d.port() + ": " + e);
                    continue;
                }
                backoff.succeeded(destination);
                return response;
            }
        }
        backoff.failed(destination);
        String why = problems.isEmpty() ? "no address to connect to" : String.join("; ", problems);
        LOG.log(Level.DEBUG, method + " " + destination + target + " failed: " + why);
        throw FederationException.unreachable(destination, why);
    }

    private static FederationException tooLarge(String destination, IOException e) {
        return new FederationException(destination, 502, "M_TOO_LARGE", e.getMessage());
    }

    private List<InetAddress> addresses(Destination d, List<String> problems) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(d.connectHost());
        } catch (UnknownHostException e) {
            problems.add(d.connectHost() + ": unknown host");
            return List.of();
        }
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : all) {
            if (addresses.allows(a)) {
                allowed.add(a);
            } else {
                problems.add(d.connectHost() + " resolves to " + a.getHostAddress()
                        + ", in a range federation may not reach");
            }
        }
        return allowed;
    }

    private static JsonObject answer(String destination, HttpsExchange.Response response) {
        JsonObject json = null;
        try {
            json = Json.parseObject(response.body());
        } catch (MatrixException notJson) {
            // handled below
        }
        if (response.status() / 100 == 2) {
            if (json == null) {
                throw new FederationException(destination, response.status(), "M_NOT_JSON",
                        "answered " + response.status() + " without a JSON object");
            }
            return json;
        }
        String errcode = json != null ? json.getString("errcode", "M_UNKNOWN") : "M_UNKNOWN";
        String error = json != null ? json.getString("error", "") : "";
        throw new FederationException(destination, response.status(), errcode,
                "answered " + response.status() + " " + errcode + (error.isEmpty() ? "" : ": " + error));
    }
}
