package org.hearth.server.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.Optional;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.http.Requester;
import org.hearth.spec.event.Redaction;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Events as clients see them (spec: "ClientEvent"): no federation fields, redactions applied, and {@code unsigned}
 * with age, the sender's own transaction ID, the previous content of state and what redacted the event.
 */
public final class ClientEvents {
    private final RoomReader reader;
    private final Clock clock;

    public ClientEvents(RoomReader reader, Clock clock) {
        this.reader = reader;
        this.clock = clock;
    }

    public JsonObject format(StoredEvent e, Requester viewer) {
        return format(e, viewer, true);
    }

    private JsonObject format(StoredEvent e, Requester viewer, boolean withRelations) {
        RoomVersion version = reader.version(new RoomId(e.roomId())).orElse(RoomVersion.DEFAULT);
        JsonObject json = e.isRedacted() ? Redaction.redact(version, e.pdu().json()) : e.pdu().json();
        JsonObjectBuilder out = Json.objectBuilder()
                .add("event_id", e.eventId())
                .add("room_id", e.roomId())
                .add("sender", e.sender())
                .add("type", e.type())
                .add("origin_server_ts", e.pdu().originServerTs())
                .add("content", json.get("content") instanceof JsonObject c ? c : JsonValue.EMPTY_JSON_OBJECT);
        e.stateKey().ifPresent(k -> out.add("state_key", k));
        if (json.get("redacts") instanceof JsonValue redacts) {
            out.add("redacts", redacts);
        } else if ("m.room.redaction".equals(e.type())
                && json.getJsonObject("content").get("redacts") instanceof JsonValue redacts) {
            // v11 moved redacts into content; older clients still read the top-level key.
            out.add("redacts", redacts);
        }
        JsonObjectBuilder unsigned = Json.objectBuilder()
                .add("age", Math.max(0, clock.millis() - e.pdu().originServerTs()));
        if (viewer != null && e.txnId() != null && e.sender().equals(viewer.userId().value())
                && e.txnDeviceId().equals(viewer.deviceId())) {
            unsigned.add("transaction_id", e.txnId());
        }
        if (withRelations) {
            e.pdu().stateTuple().ifPresent(key -> prevState(e, key).ifPresent(prev -> {
                unsigned.add("replaces_state", prev.eventId());
                JsonObject prevJson = prev.isRedacted() ? Redaction.redact(version, prev.pdu().json()) : prev.pdu().json();
                unsigned.add("prev_content", prevJson.getJsonObject("content"));
                unsigned.add("prev_sender", prev.sender());
            }));
            if (e.isRedacted()) {
                reader.event(e.redactedBecause()).ifPresent(r -> unsigned.add("redacted_because", format(r, viewer, false)));
            }
        }
        out.add("unsigned", unsigned);
        return out.build();
    }

    private Optional<StoredEvent> prevState(StoredEvent e, StateKey key) {
        String id = reader.stateIdsBefore(e).get(key);
        return id == null ? Optional.empty() : reader.event(id);
    }
}
