package org.hearth.core.sync;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * A sync filter (spec: "Filtering", filter.yaml {@code Filter}), validated once; {@link #EMPTY} lets everything
 * through. {@code json} is the filter as the client sent it, returned by GET .../filter/{filterId}.
 */
public record SyncFilter(Optional<List<String>> eventFields, String eventFormat, EventFilter presence,
                         EventFilter accountData, RoomFilter room, JsonObject json) {
    public static final SyncFilter EMPTY = parse(JsonValue.EMPTY_JSON_OBJECT);

    /** {@code M_BAD_JSON} when the object does not have the shape of a {@code Filter}. */
    public static SyncFilter parse(JsonObject json) {
        String format = optionalString(json, "event_format").orElse("client");
        if (!format.equals("client") && !format.equals("federation")) {
            throw bad("event_format must be 'client' or 'federation'");
        }
        return new SyncFilter(strings(json, "event_fields"), format,
                EventFilter.parse(object(json, "presence")),
                EventFilter.parse(object(json, "account_data")),
                RoomFilter.parse(object(json, "room")), json);
    }

    /** filter.yaml {@code EventFilter}; an absent list means "no restriction", an empty one matches nothing. */
    public record EventFilter(Optional<Integer> limit, Optional<List<String>> types, Optional<List<String>> notTypes,
                              Optional<List<String>> senders, Optional<List<String>> notSenders) {
        static EventFilter parse(JsonObject json) {
            return new EventFilter(SyncFilter.limit(json), strings(json, "types"), strings(json, "not_types"),
                    strings(json, "senders"), strings(json, "not_senders"));
        }

        /** {@code sender} null for events without one (account data, typing, receipts). */
        public boolean matches(String type, String sender) {
            if (notTypes.isPresent() && notTypes.get().stream().anyMatch(p -> glob(p, type))) {
                return false;
            }
            if (types.isPresent() && types.get().stream().noneMatch(p -> glob(p, type))) {
                return false;
            }
            if (sender != null) {
                if (notSenders.isPresent() && notSenders.get().contains(sender)) {
                    return false;
                }
                return senders.isEmpty() || senders.get().contains(sender);
            }
            return true;
        }
    }

    /** filter.yaml {@code RoomEventFilter}: an {@link EventFilter} plus room lists and loading switches. */
    public record RoomEventFilter(EventFilter events, Optional<List<String>> rooms, Optional<List<String>> notRooms,
                                  Optional<Boolean> containsUrl, boolean lazyLoadMembers,
                                  boolean includeRedundantMembers, boolean unreadThreadNotifications) {
        static RoomEventFilter parse(JsonObject json) {
            return new RoomEventFilter(EventFilter.parse(json), strings(json, "rooms"), strings(json, "not_rooms"),
                    bool(json, "contains_url"), bool(json, "lazy_load_members").orElse(false),
                    bool(json, "include_redundant_members").orElse(false),
                    bool(json, "unread_thread_notifications").orElse(false));
        }

        public boolean matchesRoom(String roomId) {
            return (notRooms.isEmpty() || !notRooms.get().contains(roomId))
                    && (rooms.isEmpty() || rooms.get().contains(roomId));
        }

        public Optional<Integer> limit() {
            return events.limit();
        }
    }

    /** filter.yaml {@code RoomFilter}. */
    public record RoomFilter(Optional<List<String>> rooms, Optional<List<String>> notRooms, boolean includeLeave,
                             RoomEventFilter timeline, RoomEventFilter state, RoomEventFilter ephemeral,
                             RoomEventFilter accountData) {
        static RoomFilter parse(JsonObject json) {
            return new RoomFilter(strings(json, "rooms"), strings(json, "not_rooms"),
                    bool(json, "include_leave").orElse(false),
                    RoomEventFilter.parse(object(json, "timeline")), RoomEventFilter.parse(object(json, "state")),
                    RoomEventFilter.parse(object(json, "ephemeral")), RoomEventFilter.parse(object(json, "account_data")));
        }

        /** {@code not_rooms} wins over {@code rooms} (filter.yaml). */
        public boolean matchesRoom(String roomId) {
            return (notRooms.isEmpty() || !notRooms.get().contains(roomId))
                    && (rooms.isEmpty() || rooms.get().contains(roomId));
        }
    }

    /** {@code *} matches any run of characters (filter.yaml, {@code types}). */
    static boolean glob(String pattern, String value) {
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(value);
        }
        String[] parts = pattern.split("\\*", -1);
        if (!value.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = value.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return value.length() - at >= last.length() && value.endsWith(last);
    }

    /**
     * Keeps only {@code event_fields} of {@code event} (filter.yaml: dot-separated paths, {@code \.} for a
     * literal dot, {@code \\} for a backslash); an absent list keeps everything.
     */
    public JsonObject project(JsonObject event) {
        if (eventFields.isEmpty()) {
            return event;
        }
        JsonObject result = JsonValue.EMPTY_JSON_OBJECT;
        for (String field : eventFields.get()) {
            List<String> path = splitPath(field);
            JsonValue value = event;
            for (String key : path) {
                value = value instanceof JsonObject o ? o.get(key) : null;
                if (value == null) {
                    break;
                }
            }
            if (value != null) {
                result = put(result, path, 0, value);
            }
        }
        return result;
    }

    private static JsonObject put(JsonObject into, List<String> path, int i, JsonValue value) {
        String key = path.get(i);
        if (i == path.size() - 1) {
            return Json.objectBuilder(into).add(key, value).build();
        }
        JsonObject child = into.get(key) instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
        return Json.objectBuilder(into).add(key, put(child, path, i + 1, value)).build();
    }

    static List<String> splitPath(String field) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length() && (field.charAt(i + 1) == '.' || field.charAt(i + 1) == '\\')) {
                current.append(field.charAt(++i));
            } else if (c == '.') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static JsonObject object(JsonObject json, String key) {
        JsonValue v = json.get(key);
        if (v == null || v == JsonValue.NULL) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        if (v instanceof JsonObject o) {
            return o;
        }
        throw bad("'" + key + "' must be an object");
    }

    private static Optional<List<String>> strings(JsonObject json, String key) {
        JsonValue v = json.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (!(v instanceof JsonArray array)) {
            throw bad("'" + key + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>(array.size());
        for (JsonValue item : array) {
            if (!(item instanceof JsonString s)) {
                throw bad("'" + key + "' must be an array of strings");
            }
            out.add(s.getString());
        }
        return Optional.of(List.copyOf(out));
    }

    private static Optional<String> optionalString(JsonObject json, String key) {
        JsonValue v = json.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v instanceof JsonString s) {
            return Optional.of(s.getString());
        }
        throw bad("'" + key + "' must be a string");
    }

    private static Optional<Boolean> bool(JsonObject json, String key) {
        JsonValue v = json.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v == JsonValue.TRUE || v == JsonValue.FALSE) {
            return Optional.of(v == JsonValue.TRUE);
        }
        throw bad("'" + key + "' must be a boolean");
    }

    private static Optional<Integer> limit(JsonObject json) {
        JsonValue v = json.get("limit");
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v instanceof JsonNumber n && n.isIntegral() && n.longValue() >= 0 && n.longValue() <= Integer.MAX_VALUE) {
            return Optional.of(n.intValue());
        }
        throw bad("'limit' must be a non-negative integer");
    }

    private static MatrixException bad(String message) {
        return new MatrixException(ErrorCode.BAD_JSON, "Invalid filter: " + message);
    }
}
