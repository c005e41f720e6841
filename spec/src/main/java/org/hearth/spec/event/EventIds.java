package org.hearth.spec.event;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.room.RoomVersion;

/** Event IDs and hash-derived room IDs (spec: "Event IDs" in rooms/v1, v3 and v4; "Room IDs" in rooms/v12). */
public final class EventIds {
    private EventIds() {}

    /**
     * The event ID of {@code event} under {@code version}: the event's own {@code event_id} in v1/v2
     * ({@code M_BAD_JSON} when missing), {@code $} + reference hash in standard base64 in v3, URL-safe from v4.
     */
    public static String compute(RoomVersion version, JsonObject event) {
        return switch (version.eventIds()) {
            case SERVER_CHOSEN -> {
                if (event.get("event_id") instanceof JsonString s) {
                    yield s.getString();
                }
                throw new MatrixException(ErrorCode.BAD_JSON,
                        "room version " + version.id() + " events carry their event_id");
            }
            case STANDARD_BASE64_HASH -> "$" + ReferenceHash.base64(version, event);
            case URL_SAFE_BASE64_HASH -> "$" + ReferenceHash.urlSafeBase64(version, event);
        };
    }

    /** The event as a {@link Pdu} with its event ID. */
    public static Pdu pdu(RoomVersion version, JsonObject event) {
        return new Pdu(compute(version, event), event);
    }

    /**
     * The room ID a room version 12+ create event defines: its event ID with {@code !} instead of {@code $}
     * (spec: appendices, "Room IDs"; rooms/v12).
     */
    public static String roomIdOfCreateEvent(RoomVersion version, JsonObject createEvent) {
        if (!version.roomIdFromCreateEvent()) {
            throw new IllegalArgumentException("room version " + version.id() + " room IDs are not derived from the create event");
        }
        return "!" + ReferenceHash.urlSafeBase64(version, createEvent);
    }
}
