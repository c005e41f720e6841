package org.hearth.core.room;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The server's message retention policy (Synapse's {@code retention:} config, after MSC1763): when {@code enabled},
 * a room's {@code m.room.retention} {@code max_lifetime} (else {@code defaultMaxLifetime}) bounds how long its
 * events are kept, clamped to [{@code allowedMin}, {@code allowedMax}]. Lifetimes are milliseconds; null: none.
 */
public record RetentionSettings(boolean enabled, Long defaultMinLifetime, Long defaultMaxLifetime, Long allowedMin,
                                Long allowedMax, Duration purgeInterval) {
    public static final RetentionSettings DISABLED = new RetentionSettings(false, null, null, null, null,
            Duration.ofHours(1));
    public static final String EVENT_TYPE = "m.room.retention";

    /**
     * How long a room's events live: from its {@code m.room.retention} content ({@code null}: the room has none).
     * As in Synapse, a value that is not a whole number counts as absent and an absent one falls back to the
     * default policy; the result is clamped to the allowed range. Empty: kept forever.
     */
    public OptionalLong maxLifetime(JsonObject retentionContent) {
        if (!enabled) {
            return OptionalLong.empty();
        }
        Long max = retentionContent == null ? defaultMaxLifetime : lifetime(retentionContent, "max_lifetime");
        if (max == null) {
            max = defaultMaxLifetime;
        }
        if (max == null) {
            return OptionalLong.empty();
        }
        if (allowedMax != null && max > allowedMax) {
            max = allowedMax;
        }
        if (allowedMin != null && max < allowedMin) {
            max = allowedMin;
        }
        return OptionalLong.of(max);
    }

    /** A lifetime field of retention content: a whole number of milliseconds, else null. */
    public static Long lifetime(JsonObject content, String key) {
        if (content.get(key) instanceof JsonNumber n && n.isIntegral()) {
            try {
                long v = n.longValueExact();
                return v >= 0 ? v : null;
            } catch (ArithmeticException e) {
                return null;
            }
        }
        return null;
    }
}
