package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Server-Server API, "Retrieving events", "Backfilling and retrieving missing events" and "Retrieving event
 * authorisation information"; mounted at /_matrix/federation/v1. Events go out as stored PDUs.
 */
public final class EventRoutes implements HttpService {
    // Synapse's caps: a backfill page of at most 100 events, get_missing_events at most 20.
    static final int MAX_BACKFILL = 100;
    static final int MAX_MISSING = 20;

    private final FederationAuth auth;
    private final RoomReader reader;
    private final RoomAccess access;
    private final String ownName;
    private final Clock clock;

    public EventRoutes(FederationAuth auth, RoomReader reader, RoomAccess access, String ownName, Clock clock) {
        this.auth = auth;
        this.reader = reader;
        this.access = access;
        this.ownName = ownName;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/event/{eventId}", auth.authenticated(this::event))
                .any("/event/{eventId}", FederationJson::wrongMethod)
                .get("/state/{roomId}", auth.authenticated(this::state))
                .any("/state/{roomId}", FederationJson::wrongMethod)
                .get("/state_ids/{roomId}", auth.authenticated(this::stateIds))
                .any("/state_ids/{roomId}", FederationJson::wrongMethod)
                .get("/event_auth/{roomId}/{eventId}", auth.authenticated(this::eventAuth))
                .any("/event_auth/{roomId}/{eventId}", FederationJson::wrongMethod)
                .get("/backfill/{roomId}", auth.authenticated(this::backfill))
                .any("/backfill/{roomId}", FederationJson::wrongMethod)
                .post("/get_missing_events/{roomId}", auth.authenticated(this::missingEvents))
                .any("/get_missing_events/{roomId}", FederationJson::wrongMethod);
    }

    private void event(ServerRequest req, ServerResponse res, FederationRequest request) {
        StoredEvent event = known(req.path().pathParameters().get("eventId"));
        RoomVersion version = access.checkRead(request.origin(), RoomId.parse(event.roomId()));
        FederationJson.reply(res, transaction(Json.arrayBuilder().add(access.pduFor(request.origin(), version, event))));
    }

    private void state(ServerRequest req, ServerResponse res, FederationRequest request) {
        StateAt at = stateAt(req, request);
        JsonArrayBuilder pdus = Json.arrayBuilder();
        for (String id : at.state().values()) {
            reader.event(id).ifPresent(e -> pdus.add(e.pdu().json()));
        }
        JsonArrayBuilder chain = Json.arrayBuilder();
        for (StoredEvent e : authChain(at.state().values())) {
            chain.add(e.pdu().json());
        }
        FederationJson.reply(res, Json.objectBuilder().add("pdus", pdus).add("auth_chain", chain).build());
    }

    private void stateIds(ServerRequest req, ServerResponse res, FederationRequest request) {
        StateAt at = stateAt(req, request);
        JsonArrayBuilder ids = Json.arrayBuilder();
        at.state().values().forEach(ids::add);
        JsonArrayBuilder chain = Json.arrayBuilder();
        for (StoredEvent e : authChain(at.state().values())) {
            chain.add(e.eventId());
        }
        FederationJson.reply(res, Json.objectBuilder().add("pdu_ids", ids).add("auth_chain_ids", chain).build());
    }

    private record StateAt(RoomVersion version, Map<StateKey, String> state) {}

    // Spec: the state "prior to considering any state changes induced by the requested event".
    private StateAt stateAt(ServerRequest req, FederationRequest request) {
        RoomId room = room(req);
        RoomVersion version = access.checkRead(request.origin(), room);
        String eventId = req.query().first("event_id")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "event_id is required"));
        StoredEvent event = inRoom(known(eventId), room);
        if (event.outlier()) {
            // Known for auth only: this server has no state at it.
            throw new MatrixException(ErrorCode.NOT_FOUND, "No state known at " + eventId);
        }
        return new StateAt(version, reader.stateIdsBefore(event));
    }

    private void eventAuth(ServerRequest req, ServerResponse res, FederationRequest request) {
        RoomId room = room(req);
        access.checkRead(request.origin(), room);
        StoredEvent event = inRoom(known(req.path().pathParameters().get("eventId")), room);
        JsonArrayBuilder chain = Json.arrayBuilder();
        for (StoredEvent e : authChain(event.pdu().authEvents())) {
            chain.add(e.pdu().json());
        }
        FederationJson.reply(res, Json.objectBuilder().add("auth_chain", chain).build());
    }

    private void backfill(ServerRequest req, ServerResponse res, FederationRequest request) {
        RoomId room = room(req);
        RoomVersion version = access.checkRead(request.origin(), room);
        List<String> from = req.query().all("v", List::of);
        if (from.isEmpty()) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "v is required");
        }
        String limitText = req.query().first("limit")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "limit is required"));
        int limit;
        try {
            limit = Math.min(Integer.parseInt(limitText), MAX_BACKFILL);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be an integer");
        }
        // Newest first by depth from the given events back along prev_events, as Synapse walks it.
        PriorityQueue<StoredEvent> queue = new PriorityQueue<>(
                Comparator.comparingLong((StoredEvent e) -> e.pdu().depth()).reversed());
        Set<String> seen = new HashSet<>();
        for (String id : from) {
            reader.event(id).filter(e -> e.roomId().equals(room.value())).ifPresent(e -> {
                if (seen.add(e.eventId())) {
                    queue.add(e);
                }
            });
        }
        JsonArrayBuilder pdus = Json.arrayBuilder();
        int count = 0;
        while (!queue.isEmpty() && count < limit) {
            StoredEvent e = queue.poll();
            if (e.rejected()) {
                continue;
            }
            pdus.add(access.pduFor(request.origin(), version, e));
            count++;
            for (String prev : e.pdu().prevEvents()) {
                if (seen.add(prev)) {
                    reader.event(prev).filter(p -> p.roomId().equals(room.value())).ifPresent(queue::add);
                }
            }
        }
        FederationJson.reply(res, transaction(pdus));
    }

    private void missingEvents(ServerRequest req, ServerResponse res, FederationRequest request) {
        RoomId room = room(req);
        RoomVersion version = access.checkRead(request.origin(), room);
        JsonObject body = request.json();
        List<String> latest = ids(body, "latest_events");
        Set<String> earliest = new HashSet<>(ids(body, "earliest_events"));
        int limit = (int) Math.min(integer(body, "limit", 10), MAX_MISSING);
        long minDepth = integer(body, "min_depth", 0);
        // Breadth-first along prev_events from the latest events, which are not themselves returned.
        Deque<String> queue = new ArrayDeque<>();
        Set<String> seen = new HashSet<>(latest);
        seen.addAll(earliest);
        for (String id : latest) {
            reader.event(id).filter(e -> e.roomId().equals(room.value()))
                    .ifPresent(e -> queue.addAll(e.pdu().prevEvents()));
        }
        List<StoredEvent> found = new ArrayList<>();
        while (!queue.isEmpty() && found.size() < limit) {
            String id = queue.poll();
            if (!seen.add(id)) {
                continue;
            }
            StoredEvent e = reader.event(id).filter(x -> x.roomId().equals(room.value())).orElse(null);
            if (e == null || e.pdu().depth() < minDepth || e.rejected()) {
                continue;
            }
            found.add(e);
            queue.addAll(e.pdu().prevEvents());
        }
        found.sort(Comparator.comparingLong(e -> e.pdu().depth()));
        JsonArrayBuilder events = Json.arrayBuilder();
        found.forEach(e -> events.add(access.pduFor(request.origin(), version, e)));
        FederationJson.reply(res, Json.objectBuilder().add("events", events).build());
    }

    /** The auth events of {@code roots}, recursively, each once (the roots themselves only as someone's auth event). */
    private List<StoredEvent> authChain(Iterable<String> roots) {
        return authChain(reader, roots);
    }

    /** The auth events of {@code roots}, transitively (the roots themselves only when some root names them). */
    static List<StoredEvent> authChain(RoomReader reader, Iterable<String> roots) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        for (String id : roots) {
            reader.event(id).ifPresent(e -> queue.addAll(e.pdu().authEvents()));
        }
        List<StoredEvent> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            String id = queue.poll();
            if (seen.add(id)) {
                reader.event(id).ifPresent(e -> {
                    out.add(e);
                    queue.addAll(e.pdu().authEvents());
                });
            }
        }
        return out;
    }

    private JsonObject transaction(JsonArrayBuilder pdus) {
        return Json.objectBuilder().add("origin", ownName).add("origin_server_ts", clock.millis())
                .add("pdus", pdus).build();
    }

    private StoredEvent known(String eventId) {
        return reader.event(eventId).filter(e -> !e.rejected())
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Event " + eventId + " not found"));
    }

    private static StoredEvent inRoom(StoredEvent event, RoomId room) {
        if (!event.roomId().equals(room.value())) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Event " + event.eventId() + " is not in " + room);
        }
        return event;
    }

    private static RoomId room(ServerRequest req) {
        String raw = req.path().pathParameters().get("roomId");
        return RoomId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Not a room ID: " + raw));
    }

    private static List<String> ids(JsonObject body, String key) {
        if (!(body.get(key) instanceof JsonArray array)) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an array of event IDs");
        }
        List<String> out = new ArrayList<>();
        for (JsonValue v : array) {
            if (!(v instanceof JsonString s)) {
                throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an array of event IDs");
            }
            out.add(s.getString());
        }
        return out;
    }

    private static long integer(JsonObject body, String key, long fallback) {
        JsonValue v = body.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an integer");
        }
        return n.longValue();
    }
}
