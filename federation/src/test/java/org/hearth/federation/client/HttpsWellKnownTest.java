package org.hearth.federation.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpsWellKnownTest {
    @Test
    void cacheControlMaxAge() {
        assertEquals(Optional.empty(), HttpsWellKnown.maxAge(null));
        assertEquals(Optional.empty(), HttpsWellKnown.maxAge("public"));
        assertEquals(Optional.of(Duration.ofSeconds(3600)), HttpsWellKnown.maxAge("public, max-age=3600"));
        assertEquals(Optional.of(Duration.ofSeconds(60)), HttpsWellKnown.maxAge("Max-Age=\"60\""));
        assertEquals(Optional.of(Duration.ZERO), HttpsWellKnown.maxAge("no-store"));
        assertEquals(Optional.of(Duration.ZERO), HttpsWellKnown.maxAge("no-cache, max-age=100"));
    }
}
