package org.hearth.core.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.OptionalLong;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class RetentionSettingsTest {
    private static final RetentionSettings POLICY = new RetentionSettings(true, null, 5000L, 1000L, 86_400_000L,
            Duration.ofHours(1));

    private static JsonObject content(String json) {
        return Json.parseObject(json);
    }

    @Test
    void theRoomsMaxLifetimeWins() {
        assertEquals(OptionalLong.of(3000), POLICY.maxLifetime(content("{\"max_lifetime\":3000}")));
    }

    @Test
    void outOfRangeValuesAreClamped() {
        assertEquals(OptionalLong.of(1000), POLICY.maxLifetime(content("{\"max_lifetime\":1}")));
        assertEquals(OptionalLong.of(86_400_000), POLICY.maxLifetime(content("{\"max_lifetime\":999999999999}")));
    }

    @Test
    void noEventMissingOrInvalidValuesFallBackToTheDefault() {
        assertEquals(OptionalLong.of(5000), POLICY.maxLifetime(null));
        assertEquals(OptionalLong.of(5000), POLICY.maxLifetime(content("{\"min_lifetime\":10}")));
        assertEquals(OptionalLong.of(5000), POLICY.maxLifetime(content("{\"max_lifetime\":\"10\"}")));
        assertEquals(OptionalLong.of(5000), POLICY.maxLifetime(content("{\"max_lifetime\":1.5}")));
        assertEquals(OptionalLong.of(5000), POLICY.maxLifetime(content("{\"max_lifetime\":-3}")));
    }

    @Test
    void withoutADefaultOrWhenDisabledNothingExpires() {
        var noDefault = new RetentionSettings(true, null, null, null, null, Duration.ofHours(1));
        assertEquals(OptionalLong.empty(), noDefault.maxLifetime(null));
        assertEquals(OptionalLong.of(7), noDefault.maxLifetime(content("{\"max_lifetime\":7}")));
        assertEquals(OptionalLong.empty(), RetentionSettings.DISABLED.maxLifetime(content("{\"max_lifetime\":7}")));
    }
}
