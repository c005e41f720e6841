package org.hearth.server.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * The part of a RoomEventFilter (spec: "Filtering") that /messages applies: types, not_types, senders,
 * not_senders (a trailing {@code *} in a type matches any suffix) and lazy_load_members. Only inline JSON filters.
 */
record EventFilter(List<String> types, List<String> notTypes, List<String> senders, List<String> notSenders,
                   boolean lazyLoadMembers) {
    static final EventFilter ALL = new EventFilter(null, List.of(), null, List.of(), false);

    static EventFilter parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            return ALL;
        }
        if (!raw.startsWith("{")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Only inline JSON filters are supported here");
        }
        JsonObject f;
        try {
            f = Json.parseObject(raw);
        } catch (MatrixException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "filter is not a JSON object");
        }
        return new EventFilter(strings(f, "types"), orEmpty(strings(f, "not_types")), strings(f, "senders"),
                orEmpty(strings(f, "not_senders")), f.get("lazy_load_members") == JsonValue.TRUE);
    }

    boolean matches(StoredEvent e) {
        if (types != null && types.stream().noneMatch(t -> typeMatches(t, e.type()))) {
            return false;
        }
        if (notTypes.stream().anyMatch(t -> typeMatches(t, e.type()))) {
            return false;
        }
        if (senders != null && !senders.contains(e.sender())) {
            return false;
        }
        return !notSenders.contains(e.sender());
    }

    private static boolean typeMatches(String pattern, String type) {
        return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(type);
    }

    private static List<String> strings(JsonObject f, String key) {
        JsonValue v = f.get(key);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (!(v instanceof jakarta.json.JsonArray a) || a.stream().anyMatch(x -> !(x instanceof JsonString))) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "filter " + key + " must be an array of strings");
        }
        return a.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
