package org.hearth.spec.event;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.EventId;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.room.EventIdFormat;
import org.hearth.spec.room.RoomVersion;

/**
 * The shape of a PDU in each room version (spec: "Event format" in rooms/v1, v3, v4, v6, v11, v12, with the
 * PDU schemas they include) and the size limits of the client-server API, "Size limits". The first check of
 * "Checks performed on receipt of a PDU": an event failing it is dropped.
 */
public final class EventFormat {
    private EventFormat() {}

    /** "The complete event MUST NOT be larger than 65536 bytes", as canonical JSON with signatures. */
    public static final int MAX_PDU_BYTES = 65_536;
    /** Limit on {@code type} and {@code state_key}, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 255;

    /**
     * Checks {@code event} against {@code version}'s event format and returns it as a {@link Pdu} with its
     * event ID. {@code M_TOO_LARGE} when over {@value #MAX_PDU_BYTES} bytes; {@code M_BAD_JSON} naming the
     * first problem otherwise (including floats and out-of-range integers from v6 on).
     */
    public static Pdu validate(RoomVersion version, JsonObject event) {
        check(version, event);
        return EventIds.pdu(version, event);
    }

    /**
     * {@link #validate(RoomVersion, JsonObject)} for an event whose ID was computed with it (an event this server
     * built, {@link EventSigning#hashSignAndIdentify}): the ID is not computed again.
     */
    public static Pdu validate(RoomVersion version, Pdu built) {
        check(version, built.json());
        return built;
    }

    private static void check(RoomVersion version, JsonObject event) {
        byte[] canonical = CanonicalJson.encodeBytes(event, version);
        if (canonical.length > MAX_PDU_BYTES) {
            throw new MatrixException(ErrorCode.TOO_LARGE,
                    "event is " + canonical.length + " bytes, over the " + MAX_PDU_BYTES + " byte limit");
        }
        // pdu_base.yaml: the keys every room version requires.
        String type = string(event, "type");
        if (utf8Length(type) > MAX_KEY_BYTES) {
            throw bad("type is over " + MAX_KEY_BYTES + " bytes");
        }
        String sender = string(event, "sender");
        if (UserId.tryParse(sender).isEmpty()) {
            throw bad("sender is not a user ID (or is over 255 bytes)");
        }
        integer(event, "origin_server_ts");
        integer(event, "depth");
        object(event, "content");
        object(event, "signatures");
        JsonObject hashes = object(event, "hashes");
        if (!(hashes.get("sha256") instanceof JsonString)) {
            throw bad("hashes.sha256 must be a string");
        }
        if (event.containsKey("unsigned") && !(event.get("unsigned") instanceof JsonObject)) {
            throw bad("unsigned must be an object");
        }
        if (event.containsKey("state_key")) {
            if (!(event.get("state_key") instanceof JsonString key)) {
                throw bad("state_key must be a string");
            }
            if (utf8Length(key.getString()) > MAX_KEY_BYTES) {
                throw bad("state_key is over " + MAX_KEY_BYTES + " bytes");
            }
        }
        // room_id_v12.yaml: required, but "omitted from m.room.create events" (the auth rules reject one that has it).
        boolean createV12 = version.roomIdFromCreateEvent() && type.equals("m.room.create");
        if (!createV12 || event.containsKey("room_id")) {
            if (RoomId.tryParse(string(event, "room_id")).isEmpty()) {
                throw bad("room_id is not a room ID (or is over 255 bytes)");
            }
        }
        boolean pairs = version.eventIds() == EventIdFormat.SERVER_CHOSEN;
        eventRefs(event, "auth_events", pairs);
        eventRefs(event, "prev_events", pairs);
        if (pairs) {
            // pdu_v1.yaml requires event_id: v1/v2 IDs are chosen by the origin server.
            if (EventId.tryParse(string(event, "event_id")).isEmpty()) {
                throw bad("event_id is not an event ID (or is over 255 bytes)");
            }
        } else if (event.containsKey("event_id")) {
            // rooms/v3 "Event IDs": the field "is no longer included"; a receiver computes it. A stray one would
            // enter the hashes and could disagree with the computed ID.
            throw bad("event_id is not part of events in room version " + version.id());
        }
    }

    // v1/v2: [[event_id, {"sha256": ...}], ...] (pdu_v1.yaml); v3+: [event_id, ...].
    private static void eventRefs(JsonObject event, String key, boolean pairs) {
        if (!(event.get(key) instanceof JsonArray refs)) {
            throw bad(key + " must be an array");
        }
        for (JsonValue ref : refs) {
            String id;
            if (pairs) {
                if (!(ref instanceof JsonArray pair) || pair.size() != 2 || !(pair.get(0) instanceof JsonString s)
                        || !(pair.get(1) instanceof JsonObject)) {
                    throw bad(key + " entries must be [event_id, hashes] pairs in this room version");
                }
                id = s.getString();
            } else {
                if (!(ref instanceof JsonString s)) {
                    throw bad(key + " entries must be event ID strings in this room version");
                }
                id = s.getString();
            }
            if (EventId.tryParse(id).isEmpty()) {
                throw bad(key + " holds an invalid event ID");
            }
        }
    }

    private static String string(JsonObject event, String key) {
        if (event.get(key) instanceof JsonString s) {
            return s.getString();
        }
        throw bad(event.containsKey(key) ? key + " must be a string" : "missing " + key);
    }

    private static void integer(JsonObject event, String key) {
        if (!(event.get(key) instanceof JsonNumber n && n.isIntegral())) {
            throw bad(event.containsKey(key) ? key + " must be an integer" : "missing " + key);
        }
    }

    private static JsonObject object(JsonObject event, String key) {
        if (event.get(key) instanceof JsonObject o) {
            return o;
        }
        throw bad(event.containsKey(key) ? key + " must be an object" : "missing " + key);
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static MatrixException bad(String why) {
        return new MatrixException(ErrorCode.BAD_JSON, why);
    }
}
