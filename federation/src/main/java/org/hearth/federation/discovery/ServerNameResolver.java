package org.hearth.federation.discovery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.spec.id.ServerName;

/**
 * Turns a server name into the places to send its requests, in the order the spec gives (Server-Server API,
 * "Resolving server names"): IP literal; explicit port; {@code /.well-known/matrix/server} delegation (itself
 * resolved by IP literal, explicit port, SRV {@code _matrix-fed._tcp}, legacy SRV {@code _matrix._tcp}, else
 * port 8448); SRV records of the name itself; else the name on port 8448.
 */
public final class ServerNameResolver {
    public static final int DEFAULT_PORT = 8448;
    // The spec's recommendations: 24 h without cache headers, at most 48 h, errors for up to an hour.
    static final Duration WELL_KNOWN_DEFAULT = Duration.ofHours(24);
    static final Duration WELL_KNOWN_MAX = Duration.ofHours(48);
    static final Duration WELL_KNOWN_ERROR = Duration.ofHours(1);
    // Synapse's floor, so a max-age of 0 does not make every request fetch the well-known again.
    static final Duration WELL_KNOWN_MIN = Duration.ofMinutes(5);

    private final Dns dns;
    private final WellKnownSource wellKnown;
    private final Cache<String, Cached> wellKnownCache;
    // JNDI does not give the records' TTLs; an hour is a common SRV TTL, and names resolve on every request.
    private final Cache<String, List<Dns.SrvTarget>> srvCache = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1)).build();

    private record Cached(Optional<String> server, Duration keepFor) {}

    public ServerNameResolver(Dns dns, WellKnownSource wellKnown) {
        this.dns = dns;
        this.wellKnown = wellKnown;
        this.wellKnownCache = Caffeine.newBuilder().maximumSize(10_000)
                .expireAfter(Expiry.<String, Cached>creating((host, cached) -> cached.keepFor()))
                .build();
    }

    /** The destinations to try in order (several only when SRV gives several targets); never empty. */
    public List<Destination> resolve(ServerName name) {
        String host = name.host();
        if (isIpLiteral(host)) {
            String ip = unbracket(host);
            return List.of(new Destination(ip, name.port().orElse(DEFAULT_PORT), name.value(), ip));
        }
        if (name.port().isPresent()) {
            return List.of(new Destination(host, name.port().getAsInt(), name.value(), host));
        }
        Optional<ServerName> delegated = wellKnown(host).flatMap(ServerName::tryParse);
        if (delegated.isPresent()) {
            ServerName d = delegated.get();
            String dh = d.host();
            if (isIpLiteral(dh)) {
                String ip = unbracket(dh);
                return List.of(new Destination(ip, d.port().orElse(DEFAULT_PORT), d.value(), ip));
            }
            if (d.port().isPresent()) {
                return List.of(new Destination(dh, d.port().getAsInt(), d.value(), dh));
            }
            return viaSrv(dh);
        }
        return viaSrv(host);
    }

    // SRV _matrix-fed._tcp, then the deprecated _matrix._tcp, then port 8448; Host and certificate stay `host`.
    private List<Destination> viaSrv(String host) {
        List<Dns.SrvTarget> targets = srvCache.get("_matrix-fed._tcp." + host, dns::srv);
        if (targets.isEmpty()) {
            targets = srvCache.get("_matrix._tcp." + host, dns::srv);
        }
        if (targets.isEmpty()) {
            return List.of(new Destination(host, DEFAULT_PORT, host, host));
        }
        List<Destination> out = new ArrayList<>();
        for (Dns.SrvTarget t : targets) {
            out.add(new Destination(t.host(), t.port(), host, host));
        }
        return List.copyOf(out);
    }

    private Optional<String> wellKnown(String host) {
        Cached cached = wellKnownCache.get(host, h -> {
            WellKnownSource.Answer answer = wellKnown.fetch(h);
            return new Cached(answer.server(), keepFor(answer));
        });
        return cached.server();
    }

    /** How long an answer is kept: errors an hour; else its max-age (default 24 h) within [5 min, 48 h]. */
    static Duration keepFor(WellKnownSource.Answer answer) {
        if (answer.server().isEmpty()) {
            return WELL_KNOWN_ERROR;
        }
        Duration keep = answer.maxAge().orElse(WELL_KNOWN_DEFAULT);
        return keep.compareTo(WELL_KNOWN_MIN) < 0 ? WELL_KNOWN_MIN : keep.compareTo(WELL_KNOWN_MAX) > 0 ? WELL_KNOWN_MAX : keep;
    }

    /** Whether a server name's host part is an IPv4 literal or a bracketed IPv6 literal. */
    public static boolean isIpLiteral(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
