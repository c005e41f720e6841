package org.hearth.federation.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.spec.id.ServerName;
import org.junit.jupiter.api.Test;

class ServerNameResolverTest {
    private final Map<String, List<Dns.SrvTarget>> srv = new HashMap<>();
    private final Map<String, WellKnownSource.Answer> wellKnown = new HashMap<>();
    private final List<String> srvAsked = new ArrayList<>();
    private final List<String> wellKnownAsked = new ArrayList<>();
    private final ServerNameResolver resolver = new ServerNameResolver(
            name -> {
                srvAsked.add(name);
                return srv.getOrDefault(name, List.of());
            },
            host -> {
                wellKnownAsked.add(host);
                return wellKnown.getOrDefault(host, WellKnownSource.Answer.failed());
            });

    private List<Destination> resolve(String name) {
        return resolver.resolve(ServerName.parse(name));
    }

    private void delegate(String host, String to) {
        wellKnown.put(host, WellKnownSource.Answer.found(to, Optional.empty()));
    }

    @Test
    void ipLiteralsAreUsedAsTheyAreWithoutLookups() {
        assertEquals(List.of(new Destination("1.2.3.4", 8448, "1.2.3.4", "1.2.3.4")), resolve("1.2.3.4"));
        assertEquals(List.of(new Destination("1.2.3.4", 1234, "1.2.3.4:1234", "1.2.3.4")), resolve("1.2.3.4:1234"));
        assertEquals(List.of(new Destination("::1", 8448, "[::1]", "::1")), resolve("[::1]"));
        assertEquals(List.of(new Destination("2001:db8::1", 99, "[2001:db8::1]:99", "2001:db8::1")), resolve("[2001:db8::1]:99"));
        assertEquals(List.of(), wellKnownAsked);
        assertEquals(List.of(), srvAsked);
    }

    @Test
    void anExplicitPortSkipsWellKnownAndSrv() {
        delegate("example.org", "elsewhere.example:443");
        assertEquals(List.of(new Destination("example.org", 8449, "example.org:8449", "example.org")), resolve("example.org:8449"));
        assertEquals(List.of(), wellKnownAsked);
        assertEquals(List.of(), srvAsked);
    }

    @Test
    void wellKnownDelegationToAnIpLiteral() {
        delegate("example.org", "5.6.7.8:9000");
        assertEquals(List.of(new Destination("5.6.7.8", 9000, "5.6.7.8:9000", "5.6.7.8")), resolve("example.org"));
        delegate("example.net", "[::2]");
        assertEquals(List.of(new Destination("::2", 8448, "[::2]", "::2")), resolve("example.net"));
    }

    @Test
    void wellKnownDelegationWithAPort() {
        delegate("example.org", "matrix.example.org:443");
        assertEquals(List.of(new Destination("matrix.example.org", 443, "matrix.example.org:443", "matrix.example.org")),
                resolve("example.org"));
        assertEquals(List.of(), srvAsked);
    }

    @Test
    void wellKnownDelegationWithoutAPortUsesTheDelegatesSrvRecords() {
        delegate("example.org", "matrix.example.org");
        srv.put("_matrix-fed._tcp.matrix.example.org", List.of(new Dns.SrvTarget("fed1.example.org", 8443, 10, 5)));
        srv.put("_matrix._tcp.matrix.example.org", List.of(new Dns.SrvTarget("legacy.example.org", 1, 10, 5)));
        // Host header and certificate: the delegated name, not the SRV target.
        assertEquals(List.of(new Destination("fed1.example.org", 8443, "matrix.example.org", "matrix.example.org")),
                resolve("example.org"));
    }

    @Test
    void wellKnownDelegationFallsBackToLegacySrvThenPort8448() {
        delegate("example.org", "matrix.example.org");
        srv.put("_matrix._tcp.matrix.example.org", List.of(new Dns.SrvTarget("legacy.example.org", 8000, 10, 5)));
        assertEquals(List.of(new Destination("legacy.example.org", 8000, "matrix.example.org", "matrix.example.org")),
                resolve("example.org"));
        delegate("example.net", "matrix.example.net");
        assertEquals(List.of(new Destination("matrix.example.net", 8448, "matrix.example.net", "matrix.example.net")),
                resolve("example.net"));
        assertEquals(List.of("_matrix-fed._tcp.matrix.example.org", "_matrix._tcp.matrix.example.org",
                "_matrix-fed._tcp.matrix.example.net", "_matrix._tcp.matrix.example.net"), srvAsked);
    }

    @Test
    void withoutWellKnownTheNamesOwnSrvRecordsThenPort8448() {
        srv.put("_matrix-fed._tcp.example.org", List.of(new Dns.SrvTarget("a.example.org", 1111, 1, 0),
                new Dns.SrvTarget("b.example.org", 2222, 2, 0)));
        assertEquals(List.of(new Destination("a.example.org", 1111, "example.org", "example.org"),
                new Destination("b.example.org", 2222, "example.org", "example.org")), resolve("example.org"));
        srv.put("_matrix._tcp.example.net", List.of(new Dns.SrvTarget("old.example.net", 3333, 1, 0)));
        assertEquals(List.of(new Destination("old.example.net", 3333, "example.net", "example.net")), resolve("example.net"));
        assertEquals(List.of(new Destination("example.com", 8448, "example.com", "example.com")), resolve("example.com"));
    }

    @Test
    void anInvalidDelegationCountsAsNoWellKnown() {
        wellKnown.put("example.org", WellKnownSource.Answer.found("not a server name!", Optional.empty()));
        assertEquals(List.of(new Destination("example.org", 8448, "example.org", "example.org")), resolve("example.org"));
    }

    @Test
    void wellKnownAnswersAndErrorsAreCached() {
        delegate("example.org", "m.example.org:443");
        resolve("example.org");
        resolve("example.org");
        resolve("example.com");
        resolve("example.com");
        assertEquals(List.of("example.org", "example.com"), wellKnownAsked);
        assertEquals(List.of("_matrix-fed._tcp.example.com", "_matrix._tcp.example.com"), srvAsked);
    }

    @Test
    void cacheTimesFollowTheSpecsRecommendations() {
        assertEquals(Duration.ofHours(24), ServerNameResolver.keepFor(WellKnownSource.Answer.found("m.example", Optional.empty())));
        assertEquals(Duration.ofHours(3), ServerNameResolver.keepFor(
                WellKnownSource.Answer.found("m.example", Optional.of(Duration.ofHours(3)))));
        assertEquals(Duration.ofHours(48), ServerNameResolver.keepFor(
                WellKnownSource.Answer.found("m.example", Optional.of(Duration.ofDays(30)))));
        assertEquals(Duration.ofMinutes(5), ServerNameResolver.keepFor(
                WellKnownSource.Answer.found("m.example", Optional.of(Duration.ZERO))));
        assertEquals(Duration.ofHours(1), ServerNameResolver.keepFor(WellKnownSource.Answer.failed()));
    }
}
