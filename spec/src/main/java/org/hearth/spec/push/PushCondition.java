package org.hearth.spec.push;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.regex.Pattern;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * One condition of an override or underride rule (spec: "Push Rules", "Conditions"; JSON shape:
 * {@code definitions/push_condition.yaml}). A rule matches when all its conditions hold.
 */
public sealed interface PushCondition {

    /** {@code event_match}: the glob {@code pattern} against the string at {@code key}. */
    record EventMatch(PropertyPath key, Glob pattern) implements PushCondition {}

    /** {@code event_property_is}: the value at {@code key} is exactly {@code value}. */
    record EventPropertyIs(PropertyPath key, JsonValue value) implements PushCondition {
        public EventPropertyIs {
            requireScalar(value);
        }
    }

    /** {@code event_property_contains}: the array at {@code key} holds exactly {@code value}. */
    record EventPropertyContains(PropertyPath key, JsonValue value) implements PushCondition {
        public EventPropertyContains {
            requireScalar(value);
        }
    }

    /** {@code contains_display_name}, deprecated in v1.17 but still defined: the body names the user. */
    record ContainsDisplayName() implements PushCondition {}

    /**
     * {@code room_member_count}: {@code is} is a decimal integer, optionally prefixed by {@code ==},
     * {@code <}, {@code >}, {@code >=} or {@code <=}; no prefix means {@code ==}.
     */
    record RoomMemberCount(String is) implements PushCondition {
        private static final Pattern IS = Pattern.compile("(==|<=|>=|<|>)?(-?[0-9]{1,18})");

        public RoomMemberCount {
            if (!IS.matcher(is).matches()) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "room_member_count 'is' is malformed: " + is);
            }
        }

        /** Whether a room with {@code memberCount} members satisfies {@code is}. */
        public boolean matches(long memberCount) {
            // Parsed by hand, not with IS: this runs for every member of the room on every event.
            int opEnd = 0;
            while (opEnd < is.length() && "=<>".indexOf(is.charAt(opEnd)) >= 0) {
                opEnd++;
            }
            long n = Long.parseLong(is, opEnd, is.length(), 10);
            String op = opEnd == 0 ? "==" : is.substring(0, opEnd);
            return switch (op) {
                case "==" -> memberCount == n;
                case "<" -> memberCount < n;
                case ">" -> memberCount > n;
                case "<=" -> memberCount <= n;
                case ">=" -> memberCount >= n;
                default -> throw new IllegalStateException(op);
            };
        }
    }

    /** {@code sender_notification_permission}: the sender's level reaches {@code notifications.<key>}. */
    record SenderNotificationPermission(String key) implements PushCondition {}

    /** A condition kind this server does not know; the spec says it never matches. Kept to render back. */
    record Unknown(JsonObject json) implements PushCondition {}

    /**
     * Reads a condition; {@code M_BAD_JSON} when a field has the wrong type, {@code M_MISSING_PARAM} when a
     * known kind lacks a parameter, {@code M_INVALID_PARAM} when a value is one the spec does not allow.
     */
    public static PushCondition parse(JsonValue json) {
        if (!(json instanceof JsonObject o)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "a push condition must be an object");
        }
        String kind = string(o, "kind");
        return switch (kind) {
            case "event_match" -> new EventMatch(path(o), Glob.of(string(o, "pattern")));
            case "event_property_is" -> new EventPropertyIs(path(o), value(o));
            case "event_property_contains" -> new EventPropertyContains(path(o), value(o));
            case "contains_display_name" -> new ContainsDisplayName();
            case "room_member_count" -> new RoomMemberCount(string(o, "is"));
            case "sender_notification_permission" -> new SenderNotificationPermission(string(o, "key"));
            default -> new Unknown(o);
        };
    }

    /** This condition in the {@code push_condition.yaml} shape. */
    default JsonObject toJson() {
        return switch (this) {
            case EventMatch(PropertyPath key, Glob pattern) -> Json.objectBuilder()
                    .add("kind", "event_match").add("key", key.text()).add("pattern", pattern.text()).build();
            case EventPropertyIs(PropertyPath key, JsonValue value) -> Json.objectBuilder()
                    .add("kind", "event_property_is").add("key", key.text()).add("value", value).build();
            case EventPropertyContains(PropertyPath key, JsonValue value) -> Json.objectBuilder()
                    .add("kind", "event_property_contains").add("key", key.text()).add("value", value).build();
            case ContainsDisplayName() -> Json.objectBuilder().add("kind", "contains_display_name").build();
            case RoomMemberCount(String is) -> Json.objectBuilder()
                    .add("kind", "room_member_count").add("is", is).build();
            case SenderNotificationPermission(String key) -> Json.objectBuilder()
                    .add("kind", "sender_notification_permission").add("key", key).build();
            case Unknown(JsonObject json) -> json;
        };
    }

    private static void requireScalar(JsonValue value) {
        if (value == null || !Scalars.isScalar(value)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM,
                    "'value' must be a string, an integer within ±(2^53-1), a boolean or null");
        }
    }

    private static String string(JsonObject o, String key) {
        JsonValue v = o.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "push condition lacks '" + key + "'");
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "push condition '" + key + "' must be a string");
    }

    private static PropertyPath path(JsonObject o) {
        return PropertyPath.parse(string(o, "key"));
    }

    private static JsonValue value(JsonObject o) {
        if (!o.containsKey("value")) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "push condition lacks 'value'");
        }
        return o.get("value");
    }
}
