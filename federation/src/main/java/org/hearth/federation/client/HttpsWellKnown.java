package org.hearth.federation.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hearth.federation.discovery.WellKnownSource;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;

/**
 * {@code GET https://<hostname>/.well-known/matrix/server} (spec: "Resolving server names", step 3), following
 * redirects without loops, through the same trust and address deny list as every federation request.
 */
public final class HttpsWellKnown implements WellKnownSource {
    private static final int MAX_REDIRECTS = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    // Synapse's limit: a well-known is a few dozen bytes.
    private static final long MAX_BYTES = 50 * 1024;
    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*\"?(\\d+)");

    private final FederationTls tls;
    private final AddressFilter addresses;
    private final HttpsExchange https;

    public HttpsWellKnown(FederationTls tls, AddressFilter addresses) {
        this.tls = tls;
        this.addresses = addresses;
        this.https = new HttpsExchange(tls);
    }

    @Override
    public Answer fetch(String hostname) {
        URI uri = URI.create("https://" + hostname + "/.well-known/matrix/server");
        Set<URI> seen = new HashSet<>();
        try {
            for (int hop = 0; hop <= MAX_REDIRECTS && seen.add(uri); hop++) {
                if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    return Answer.failed();
                }
                String host = uri.getHost();
                int port = uri.getPort() < 0 ? 443 : uri.getPort();
                InetAddress address = pick(host);
                if (address == null) {
                    return Answer.failed();
                }
                String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                String tlsName = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
                HttpsExchange.Response response = https.send(address, port, tlsName,
                        uri.getRawAuthority(), "GET", target, Map.of("Accept", "application/json"), null,
                        TIMEOUT, TIMEOUT, MAX_BYTES);
                if (response.status() >= 300 && response.status() < 400 && response.header("location") != null) {
                    uri = uri.resolve(response.header("location"));
                    continue;
                }
                if (response.status() != 200) {
                    return Answer.failed();
                }
                JsonObject json = Json.parseObject(response.body());
                if (!(json.get("m.server") instanceof JsonString server) || !ServerName.isValid(server.getString())) {
                    return Answer.failed();
                }
                return Answer.found(server.getString(), maxAge(response.header("cache-control")));
            }
            return Answer.failed();
        } catch (IOException | MatrixException | IllegalArgumentException e) {
            return Answer.failed();
        }
    }

    private InetAddress pick(String host) throws IOException {
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (addresses.allows(a)) {
                return a;
            }
        }
        return null;
    }

    static Optional<Duration> maxAge(String cacheControl) {
        if (cacheControl == null) {
            return Optional.empty();
        }
        String lower = cacheControl.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("no-store") || lower.contains("no-cache")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = MAX_AGE.matcher(lower);
        if (m.find()) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(m.group(1))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
