package org.hearth.server.client;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.relations.RelationIndex;
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
    private final RelationIndex relations;
    private final Clock clock;

    public ClientEvents(RoomReader reader, Clock clock) {
        this(reader, null, clock);
    }

    /** With {@code relations}, {@link #formatPage} bundles aggregations of child events. */
    public ClientEvents(RoomReader reader, RelationIndex relations, Clock clock) {
        this.reader = reader;
        this.relations = relations;
        this.clock = clock;
    }

    /** One event, without bundled aggregations (state, members and other listings that the spec leaves out). */
    public JsonObject format(StoredEvent e, Requester viewer) {
        return format(e, viewer, true, null);
    }

    /**
     * Events of a timeline (sync, /messages, /context, /event, /relations, /threads, /search) with their bundled
     * aggregations in {@code unsigned.m.relations} (spec: "Aggregations of child events"), read for the whole page
     * in one query (one more for the latest events of the page's threads). Contents are never replaced by edits.
     */
    public List<JsonObject> formatPage(List<StoredEvent> events, Requester viewer) {
        if (relations == null || viewer == null || events.isEmpty()) {
            return events.stream().map(e -> format(e, viewer)).toList();
        }
        Map<String, RelationIndex.Aggregation> aggregations = relations.aggregations(events, viewer.userId());
        // Child events of a thread's latest event are aggregated too (threading.md); loops are impossible since
        // a thread root cannot itself be a child, and this goes one level only.
        Map<String, StoredEvent> latest = new HashMap<>();
        for (RelationIndex.Aggregation a : aggregations.values()) {
            if (a.thread() != null) {
                reader.event(a.thread().latestEventId()).ifPresent(e -> latest.put(e.eventId(), e));
            }
        }
        Map<String, RelationIndex.Aggregation> latestAggregations = latest.isEmpty() ? Map.of()
                : relations.aggregations(latest.values(), viewer.userId());
        List<JsonObject> out = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            out.add(format(e, viewer, true, bundle(aggregations.get(e.eventId()), viewer, latest, latestAggregations)));
        }
        return out;
    }

    public JsonObject formatWithRelations(StoredEvent e, Requester viewer) {
        return formatPage(List.of(e), viewer).getFirst();
    }

    private JsonObject bundle(RelationIndex.Aggregation a, Requester viewer, Map<String, StoredEvent> latest,
                              Map<String, RelationIndex.Aggregation> latestAggregations) {
        if (a == null) {
            return null;
        }
        JsonObjectBuilder out = Json.objectBuilder();
        if (a.latestEdit() != null) {
            reader.event(a.latestEdit()).ifPresent(edit -> out.add("m.replace", format(edit, viewer, true, null)));
        }
        if (a.thread() != null && latest.get(a.thread().latestEventId()) instanceof StoredEvent last) {
            out.add("m.thread", Json.objectBuilder()
                    .add("latest_event", format(last, viewer, true,
                            bundle(latestAggregations.get(last.eventId()), viewer, Map.of(), Map.of())))
                    .add("count", a.thread().count())
                    .add("current_user_participated", a.thread().currentUserParticipated()));
        }
        if (!a.references().isEmpty()) {
            JsonArrayBuilder chunk = Json.arrayBuilder();
            a.references().forEach(id -> chunk.add(Json.objectBuilder().add("event_id", id)));
            out.add("m.reference", Json.objectBuilder().add("chunk", chunk));
        }
        JsonObject built = out.build();
        return built.isEmpty() ? null : built;
    }

    private JsonObject format(StoredEvent e, Requester viewer, boolean withRelations, JsonObject bundled) {
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
                reader.event(e.redactedBecause()).ifPresent(r -> unsigned.add("redacted_because", format(r, viewer, false, null)));
            }
        }
        if (bundled != null) {
            unsigned.add("m.relations", bundled);
        }
        out.add("unsigned", unsigned);
        return out.build();
    }

    private Optional<StoredEvent> prevState(StoredEvent e, StateKey key) {
        String id = reader.stateIdsBefore(e).get(key);
        return id == null ? Optional.empty() : reader.event(id);
    }
}
