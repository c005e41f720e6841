package org.hearth.spec.auth;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * The effective power levels of a room: {@code m.room.power_levels} content with the spec's defaults
 * applied (spec: Client-Server API, {@code m.room.power_levels}; Server-Server API, "Definitions").
 *
 * <p>Values that the room version cannot read (a string in v10+, a float from v6 on, text that is not an
 * integer) fall back to the default, as if absent: the authorization rules reject power levels events
 * carrying them from v10 on, so such values only survive in older rooms.
 *
 * @param users              explicit user levels; with no power levels event in v1-v11, the creator at 100
 * @param usersDefault       {@code users_default}, 0 if unspecified
 * @param events             explicit levels per event type
 * @param eventsDefault      {@code events_default}, 0 if unspecified
 * @param stateDefault       {@code state_default}, 50 if unspecified or no power levels event
 * @param ban                the ban level, 50 if unspecified
 * @param kick               the kick level, 50 if unspecified
 * @param redact             the redact level, 50 if unspecified
 * @param invite             the invite level, 0 if unspecified
 * @param notifications      explicit levels per notification key
 * @param privilegedCreators the room creators with infinite power (v12+, MSC4289); empty before v12
 */
public record PowerLevels(
        Map<String, Long> users,
        long usersDefault,
        Map<String, Long> events,
        long eventsDefault,
        long stateDefault,
        long ban,
        long kick,
        long redact,
        long invite,
        Map<String, Long> notifications,
        Set<String> privilegedCreators) {

    /** The level of a v12 room creator: above every level a power levels event can hold. */
    public static final long INFINITE = Long.MAX_VALUE;

    /** The creator's level when the room has no power levels event (v1-v11). */
    static final long CREATOR_WITHOUT_POWER_LEVELS = 100;

    // Canonical JSON's integer range, which power levels share (spec: m.room.power_levels, "Note").
    static final long MAX_SAFE = (1L << 53) - 1;

    // The stringy format: optional whitespace and sign around base-10 digits (fragment v1-stringy-power-levels).
    private static final Pattern STRINGY = Pattern.compile("[+-]?[0-9]+");

    static final String[] TOP_LEVEL_KEYS = {
            "users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"};

    public PowerLevels {
        users = Map.copyOf(users);
        events = Map.copyOf(events);
        notifications = Map.copyOf(notifications);
        privilegedCreators = Set.copyOf(privilegedCreators);
    }

    /**
     * The power levels in effect in {@code state}: its {@code m.room.power_levels} event, or the defaults
     * when there is none, plus the creators' power read from its {@code m.room.create} event.
     */
    public static PowerLevels fromState(RoomVersion version, Map<StateKey, Pdu> state) {
        Pdu create = state.get(StateKey.of(AuthRules.CREATE, ""));
        Pdu powerLevels = state.get(StateKey.of(AuthRules.POWER_LEVELS, ""));
        Set<String> privileged = version.privilegedCreators() && create != null
                ? creators(version, create) : Set.of();
        if (powerLevels != null) {
            return parse(version, powerLevels.content(), privileged);
        }
        Map<String, Long> users = new HashMap<>();
        if (!version.privilegedCreators() && create != null) {
            String creator = creator(version, create);
            if (creator != null) {
                users.put(creator, CREATOR_WITHOUT_POWER_LEVELS);
            }
        }
        return new PowerLevels(users, 0, Map.of(), 0, 50, 50, 50, 50, 0, Map.of(), privileged);
    }

    /** Reads {@code m.room.power_levels} content, without creators' power. */
    public static PowerLevels parse(RoomVersion version, JsonObject content) {
        return parse(version, content, Set.of());
    }

    static PowerLevels parse(RoomVersion version, JsonObject content, Set<String> privilegedCreators) {
        return new PowerLevels(
                levels(version, content.get("users")),
                level(version, content, "users_default", 0),
                levels(version, content.get("events")),
                level(version, content, "events_default", 0),
                level(version, content, "state_default", 50),
                level(version, content, "ban", 50),
                level(version, content, "kick", 50),
                level(version, content, "redact", 50),
                level(version, content, "invite", 0),
                levels(version, content.get("notifications")),
                privilegedCreators);
    }

    /** A user's power level: infinite for v12 creators, else {@code users}, else {@code users_default}. */
    public long userLevel(String userId) {
        if (privilegedCreators.contains(userId)) {
            return INFINITE;
        }
        return users.getOrDefault(userId, usersDefault);
    }

    /** The level needed to send an event of {@code type}: {@code events}, else the state or message default. */
    public long requiredLevel(String type, boolean isState) {
        return events.getOrDefault(type, isState ? stateDefault : eventsDefault);
    }

    /** The level needed for a notification key, if the spec or the event gives one; {@code room} defaults to 50. */
    public OptionalLong notificationLevel(String key) {
        Long level = notifications.get(key);
        if (level != null) {
            return OptionalLong.of(level);
        }
        return "room".equals(key) ? OptionalLong.of(50) : OptionalLong.empty();
    }

    /**
     * The room creator the join rule 'state_key is the creator' names: {@code content.creator} of the
     * create event up to v10, its {@code sender} from v11 on; null when v1-v10 content lacks a creator.
     */
    public static String creator(RoomVersion version, Pdu create) {
        if (version.implicitRoomCreator()) {
            return create.sender();
        }
        return create.content().get("creator") instanceof JsonString s ? s.getString() : null;
    }

    /**
     * The room creators: the single {@link #creator} before v12; from v12 on the create event's
     * {@code sender} plus the strings in {@code content.additional_creators} (MSC4289).
     */
    public static Set<String> creators(RoomVersion version, Pdu create) {
        Set<String> creators = new LinkedHashSet<>();
        String creator = creator(version, create);
        if (creator != null) {
            creators.add(creator);
        }
        if (version.privilegedCreators()
                && create.content().get("additional_creators") instanceof JsonArray extra) {
            for (JsonValue v : extra) {
                if (v instanceof JsonString s) {
                    creators.add(s.getString());
                }
            }
        }
        return creators;
    }

    private static long level(RoomVersion version, JsonObject content, String key, long fallback) {
        Long level = readLevel(version, content.get(key));
        return level != null ? level : fallback;
    }

    private static Map<String, Long> levels(RoomVersion version, JsonValue value) {
        Map<String, Long> levels = new HashMap<>();
        if (value instanceof JsonObject object) {
            object.forEach((key, v) -> {
                Long level = readLevel(version, v);
                if (level != null) {
                    levels.put(key, level);
                }
            });
        }
        return levels;
    }

    /**
     * One power level value as {@code version} reads it, or null when it is not a level there: integers
     * always; strings that are integers before v10 (fragment v1-stringy-power-levels); floats truncated
     * before v6, whose canonical JSON forbids them (fragment v1-floaty-power-levels).
     */
    static Long readLevel(RoomVersion version, JsonValue value) {
        if (value instanceof JsonNumber number) {
            BigDecimal decimal = number.bigDecimalValue();
            if (isFloat(number)) {
                return version.strictCanonicalJson() || Double.isInfinite(decimal.doubleValue())
                        ? null : clamp(decimal.toBigInteger());
            }
            BigInteger integer = decimal.toBigInteger();
            if (version.strictCanonicalJson() && integer.abs().compareTo(BigInteger.valueOf(MAX_SAFE)) > 0) {
                return null;
            }
            return clamp(integer);
        }
        if (value instanceof JsonString string && !version.integerPowerLevels()) {
            String text = string.getString().strip();
            return STRINGY.matcher(text).matches() ? clamp(new BigInteger(text)) : null;
        }
        return null;
    }

    /** Whether {@code value} is a float beyond binary64, which rejects a power levels event before v6. */
    static boolean outOfDoubleRange(JsonValue value) {
        return value instanceof JsonNumber number && isFloat(number)
                && Double.isInfinite(number.bigDecimalValue().doubleValue());
    }

    // A fraction or exponent makes a float, as JSON parsers read it; canonical JSON (v6+) has neither.
    private static boolean isFloat(JsonNumber number) {
        String text = number.toString();
        return text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0;
    }

    // Before v6 nothing bounds integers; saturating keeps their order for the comparisons the rules make.
    private static long clamp(BigInteger value) {
        if (value.bitLength() < 64) {
            return value.longValue();
        }
        return value.signum() > 0 ? Long.MAX_VALUE - 1 : Long.MIN_VALUE;
    }
}
