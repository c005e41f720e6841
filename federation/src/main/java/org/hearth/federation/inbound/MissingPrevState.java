package org.hearth.federation.inbound;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.room.RoomEngine;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.client.FederationClient;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.room.RoomVersion;
import org.hearth.spec.stateres.StateResolver;

/**
 * The state before a received PDU whose prev events are not all known here (spec: "Checks performed on receipt of
 * a PDU" step 5, and Synapse's fallback after {@code /get_missing_events}): for each missing prev event, the state
 * at it from the origin's {@code /state_ids}, plus the prev event itself; the known prevs' states as stored; all
 * resolved. Events not known here are fetched by {@code /event} (one {@code /state} call when more than
 * {@link #FETCH_ONE_BY_ONE}), checked, and kept as outliers.
 */
public final class MissingPrevState {
    static final int FETCH_ONE_BY_ONE = 50;

    private final RoomReader reader;
    private final RoomEngine engine;
    private final PduChecks checks;
    private final FederationClient client;

    public MissingPrevState(RoomReader reader, RoomEngine engine, PduChecks checks, FederationClient client) {
        this.reader = reader;
        this.engine = engine;
        this.checks = checks;
        this.client = client;
    }

    /**
     * Spec: "Checks performed on receipt of a PDU", step 5, when prev events are missing: the state after each prev
     * event (from the origin's {@code /state_ids} for a missing one), resolved. The state and auth chain events not
     * known here are fetched and checked, and kept as outliers.
     */
    public Map<StateKey, String> stateBefore(String origin, RoomId room, RoomVersion version, Pdu pdu,
                                              List<String> missing) {
        List<Map<StateKey, String>> states = new ArrayList<>();
        Map<String, Pdu> fetched = new HashMap<>();
        for (String prev : pdu.prevEvents()) {
            Optional<StoredEvent> known = reader.event(prev).filter(e -> !e.outlier() && e.roomId().equals(room.value()));
            if (known.isPresent() && !missing.contains(prev)) {
                states.add(reader.stateIdsAfter(known.get()));
                continue;
            }
            String query = "?event_id=" + encode(prev);
            JsonObject ids = remote(() -> client.get(origin, "/_matrix/federation/v1/state_ids/" + encode(room.value())
                    + query));
            List<String> stateIds = strings(ids.get("pdu_ids"));
            Set<String> wanted = new LinkedHashSet<>(stateIds);
            wanted.addAll(strings(ids.get("auth_chain_ids")));
            wanted.add(prev);
            wanted.addAll(pdu.authEvents());
            wanted.removeIf(id -> fetched.containsKey(id) || reader.event(id).isPresent());
            if (wanted.size() > FETCH_ONE_BY_ONE) {
                JsonObject all = remote(() -> client.get(origin, "/_matrix/federation/v1/state/"
                        + encode(room.value()) + query));
                for (String key : List.of("pdus", "auth_chain")) {
                    if (all.get(key) instanceof JsonArray a) {
                        a.forEach(v -> usable(version, v).ifPresent(p -> fetched.put(p.eventId(), p)));
                    }
                }
                wanted.removeIf(fetched::containsKey);
            }
            for (String id : wanted) {
                JsonObject answer = remote(() -> client.get(origin, "/_matrix/federation/v1/event/" + encode(id)));
                if (answer.get("pdus") instanceof JsonArray a && !a.isEmpty()) {
                    usable(version, a.get(0)).filter(p -> p.eventId().equals(id)).ifPresent(p -> fetched.put(id, p));
                }
            }
            Map<StateKey, String> after = new HashMap<>();
            for (String id : stateIds) {
                Pdu p = fetched.containsKey(id) ? fetched.get(id) : reader.event(id).map(StoredEvent::pdu).orElse(null);
                if (p == null || p.stateTuple().isEmpty()) {
                    throw new MatrixException(ErrorCode.UNKNOWN, "state event " + id + " at " + prev + " could not be fetched");
                }
                after.put(p.stateTuple().get(), id);
            }
            Pdu prevPdu = fetched.containsKey(prev) ? fetched.get(prev) : reader.event(prev).map(StoredEvent::pdu)
                    .orElse(null);
            if (prevPdu != null) {
                prevPdu.stateTuple().ifPresent(k -> after.put(k, prev));
            }
            states.add(after);
        }
        // Auth events before the events they authorize, so each outlier's auth events are there first.
        engine.storeOutliers(room, fetched.values().stream().filter(p -> room.value().equals(p.roomId().orElse(null)))
                .sorted(Comparator.comparingLong(Pdu::depth)).toList());
        if (states.size() == 1) {
            return states.getFirst();
        }
        return StateResolver.resolve(version, states, id -> fetched.containsKey(id) ? fetched.get(id)
                : reader.event(id).map(StoredEvent::pdu).orElse(null));
    }

    private Optional<Pdu> usable(RoomVersion version, JsonValue v) {
        if (!(v instanceof JsonObject o)) {
            return Optional.empty();
        }
        return switch (checks.check(version, o)) {
            case PduChecks.Checked.Dropped(String reason) -> Optional.empty();
            case PduChecks.Checked.Usable(Pdu pdu, boolean redacted) -> Optional.of(pdu);
        };
    }

    private static JsonObject remote(java.util.function.Supplier<JsonObject> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw new MatrixException(ErrorCode.UNKNOWN, "could not fetch the state before the event: " + e.getMessage());
        }
    }

    private static List<String> strings(JsonValue v) {
        List<String> out = new ArrayList<>();
        if (v instanceof JsonArray a) {
            for (JsonValue x : a) {
                if (x instanceof jakarta.json.JsonString s) {
                    out.add(s.getString());
                }
            }
        }
        return out;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
