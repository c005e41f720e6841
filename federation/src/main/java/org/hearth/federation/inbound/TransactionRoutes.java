package org.hearth.federation.inbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.port.EphemeralEvents;
import org.hearth.core.room.RoomEngine;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.Rows;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Server-Server API, "Transactions" ({@code PUT /send/{txnId}}), mounted at /_matrix/federation/v1. Each PDU
 * is checked (format, signatures, hash) and handed to the room engine, which authorizes and persists it (a PDU
 * failing auth is stored rejected and reported as an error); a run of PDUs that simply continue the room is placed
 * in one commit ({@link RoomEngine#receiveChain}), the others one by one. Missing prev_events are fetched through
 * {@code /get_missing_events}, page after page walking back (at most {@code maxMissingEvents} events), so a gap
 * such as a sender's catch-up after downtime (only its newest PDU sent) leaves no hole in the timeline; when some
 * are still missing, the state before the PDU comes from the origin's
 * {@code /state_ids} at each missing prev event, its unknown events fetched by {@code /event} and kept as outliers.
 * Per-PDU errors go in the answer's {@code pdus}; a transaction seen before (within a day, across restarts) answers
 * what it answered then.
 */
public final class TransactionRoutes implements HttpService {
    private static final Logger LOG = System.getLogger(TransactionRoutes.class.getName());
    static final int MAX_PDUS = 50;
    static final int MAX_EDUS = 100;
    static final int MISSING_LIMIT = 10;
    static final long ANSWER_KEPT_MS = Duration.ofDays(1).toMillis();
    // Spec: a remote typing notification has no timeout; Synapse's is 30 s without an update.
    static final long TYPING_TIMEOUT_MS = 30_000;

    private final FederationAuth auth;
    private final int maxMissingEvents;
    private final RoomReader reader;
    private final RoomEngine engine;
    private final RoomAccess access;
    private final PduChecks checks;
    private final FederationClient client;
    private final EphemeralEvents edus;
    private final Database database;
    private final java.time.Clock clock;
    private volatile long lastCleanup;
    private final MissingPrevState missingPrevState;
    private final java.util.Map<String, EduHandler> eduHandlers;
    // Synapse keeps transaction answers for a day; a retried transaction within that gets the same answer.
    private final Cache<String, JsonObject> answered = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofDays(1)).build();

    public TransactionRoutes(FederationAuth auth, RoomReader reader, RoomEngine engine, RoomAccess access,
                             PduChecks checks, FederationClient client, EphemeralEvents edus, Database database,
                             java.time.Clock clock, java.util.Map<String, EduHandler> eduHandlers,
                             int maxMissingEvents) {
        this.maxMissingEvents = maxMissingEvents;
        this.edus = edus;
        this.database = database;
        this.clock = clock;
        this.eduHandlers = eduHandlers;
        this.auth = auth;
        this.reader = reader;
        this.engine = engine;
        this.access = access;
        this.checks = checks;
        this.client = client;
        this.missingPrevState = new MissingPrevState(reader, engine, checks, client);
    }

    /** Handles the content of one EDU type (device lists, to-device, presence); throwing drops the EDU. */
    @FunctionalInterface
    public interface EduHandler {
        void handle(String origin, JsonObject content);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/send/{txnId}", auth.authenticated(this::send))
                .any("/send/{txnId}", FederationJson::wrongMethod);
    }

    private void send(ServerRequest req, ServerResponse res, FederationRequest request) {
        String txnId = req.path().pathParameters().get("txnId");
        JsonObject body = request.json();
        JsonArray pdus = array(body, "pdus", true);
        JsonArray edus = array(body, "edus", false);
        if (pdus.size() > MAX_PDUS || edus != null && edus.size() > MAX_EDUS) {
            throw new MatrixException(ErrorCode.BAD_JSON, "a transaction carries at most " + MAX_PDUS + " PDUs and "
                    + MAX_EDUS + " EDUs");
        }
        // One transaction per (origin, ID) at a time: the cache computes it once and answers retries from memory.
        JsonObject answer = answered.get(request.origin() + "\n" + txnId, k -> answer(request.origin(), txnId, pdus));
        if (edus != null && !answered.asMap().containsKey(request.origin() + "\n" + txnId + "\nedus")) {
            answered.put(request.origin() + "\n" + txnId + "\nedus", JsonValue.EMPTY_JSON_OBJECT);
            edus.forEach(e -> edu(request.origin(), e));
        }
        FederationJson.reply(res, answer);
    }

    /** The answer given before to this transaction (persisted, so a retry after a restart gets it too), or a new one. */
    private JsonObject answer(String origin, String txnId, JsonArray pdus) {
        Optional<JsonObject> earlier = database.execute().createNamedGet("federation-txn-answer-get")
                .params(Rows.params("origin", origin, "txn_id", txnId)).execute()
                .map(r -> Json.parseObject(Rows.str(r, "answer")));
        if (earlier.isPresent()) {
            return earlier.get();
        }
        JsonObject answer = process(origin, pdus);
        long now = clock.millis();
        database.execute().createNamedInsert("federation-txn-answer-insert").params(Rows.params("origin", origin,
                "txn_id", txnId, "answer", answer.toString(), "received_ts", now)).execute();
        if (now - lastCleanup > Duration.ofHours(1).toMillis()) {
            lastCleanup = now;
            database.execute().createNamedDelete("federation-txn-answers-expire")
                    .params(Rows.params("before", now - ANSWER_KEPT_MS)).execute();
        }
        return answer;
    }

    /** Spec: "Typing Notifications" and "Receipts" EDUs, then the handlers'; others are ignored, and so are malformed ones. */
    private void edu(String origin, JsonValue value) {
        if (!(value instanceof JsonObject edu) || !(edu.get("content") instanceof JsonObject content)) {
            return;
        }
        try {
            switch (edu.getString("edu_type", "")) {
                case "m.typing" -> {
                    UserId user = UserId.parse(content.getString("user_id"));
                    RoomId room = RoomId.parse(content.getString("room_id"));
                    if (user.domain().equals(origin) && reader.version(room).isPresent()) {
                        access.checkAcl(origin, room);
                        this.edus.typing(user, room, content.getBoolean("typing", false), TYPING_TIMEOUT_MS);
                    }
                }
                case "m.receipt" -> content.forEach((roomId, byType) -> {
                    RoomId room = RoomId.parse(roomId);
                    if (reader.version(room).isEmpty() || !(byType instanceof JsonObject types)) {
                        return;
                    }
                    access.checkAcl(origin, room);
                    if (types.get("m.read") instanceof JsonObject users) {
                        users.forEach((userId, receipt) -> {
                            UserId user = UserId.parse(userId);
                            if (user.domain().equals(origin) && receipt instanceof JsonObject r
                                    && r.get("event_ids") instanceof JsonArray ids && !ids.isEmpty()) {
                                JsonObject data = r.get("data") instanceof JsonObject d ? d : JsonValue.EMPTY_JSON_OBJECT;
                                this.edus.receipt(user, room, "m.read", ids.getString(0),
                                        data.getString("thread_id", ""), 0);
                            }
                        });
                    }
                });
                default -> {
                    EduHandler handler = eduHandlers.get(edu.getString("edu_type", ""));
                    if (handler != null) {
                        handler.handle(origin, content);
                    }
                }
            }
        } catch (RuntimeException e) {
            // An EDU is best effort (spec: no answer for EDUs): a bad one is dropped.
            LOG.log(Level.DEBUG, "EDU from " + origin + " dropped: " + e.getMessage());
        }
    }

    private static JsonArray array(JsonObject body, String name, boolean required) {
        JsonValue v = body.get(name);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof JsonArray a)) {
            throw new MatrixException(ErrorCode.BAD_JSON, name + " must be an array");
        }
        return a;
    }

    private JsonObject process(String origin, JsonArray pdus) {
        JsonObjectBuilder results = Json.objectBuilder();
        Outcome outcome = new Outcome() {
            @Override
            public void placed(Pdu pdu) {
                results.add(pdu.eventId(), JsonValue.EMPTY_JSON_OBJECT);
            }

            @Override
            public void rejected(Rejected e) {
                results.add(e.eventId != null ? e.eventId : "unknown", Json.objectBuilder().add("error", e.getMessage()));
            }
        };
        List<Checked> run = new ArrayList<>();
        for (JsonValue value : pdus) {
            if (!(value instanceof JsonObject json)) {
                continue;
            }
            Checked checked;
            try {
                checked = check(origin, json);
            } catch (Rejected e) {
                outcome.rejected(e.eventId != null ? e : new Rejected(json.getString("event_id", null), e.getMessage()));
                continue;
            } catch (MatrixException deniedByAcl) {
                // The whole transaction is refused, as before this PDU: what came earlier is placed first.
                place(origin, run, true, outcome);
                throw deniedByAcl;
            }
            if (!run.isEmpty() && !run.getFirst().room().equals(checked.room())) {
                place(origin, run, true, outcome);
                run.clear();
            }
            run.add(checked);
            if (checked.pdu().isState()) {
                // The PDUs after a state event are checked (server ACL) against the state it makes.
                place(origin, run, true, outcome);
                run.clear();
            }
        }
        place(origin, run, true, outcome);
        return Json.objectBuilder().add("pdus", results).build();
    }

    private static final class Rejected extends RuntimeException {
        final String eventId;

        Rejected(String eventId, String message) {
            super(message);
            this.eventId = eventId;
        }
    }

    /** Where each PDU of a run ended: placed (stored, maybe soft-failed) or refused. */
    private interface Outcome {
        void placed(Pdu pdu);

        void rejected(Rejected e);
    }

    /** A PDU that passed the checks before the room engine: format, signatures, hash, the origin's server ACL. */
    private record Checked(RoomId room, RoomVersion version, Pdu pdu) {}

    /** The ID a dropped PDU's result is keyed by (spec: the results map event IDs), when it can be worked out. */
    private static String eventIdOf(RoomVersion version, JsonObject json) {
        try {
            return org.hearth.spec.event.EventIds.compute(version, json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Checked check(String origin, JsonObject json) {
        String roomText = json.get("room_id") instanceof jakarta.json.JsonString s ? s.getString() : null;
        RoomId room = roomText == null ? null : RoomId.tryParse(roomText).orElse(null);
        if (room == null) {
            throw new Rejected(null, "no valid room_id");
        }
        Optional<RoomVersion> version = reader.version(room);
        if (version.isEmpty()) {
            throw new Rejected(null, "room " + roomText + " is not known here");
        }
        Pdu pdu = switch (checks.check(version.get(), json)) {
            case PduChecks.Checked.Dropped(String reason) -> throw new Rejected(eventIdOf(version.get(), json), reason);
            case PduChecks.Checked.Usable(Pdu usable, boolean redacted) -> usable;
        };
        access.checkAcl(origin, room);
        return new Checked(room, version.get(), pdu);
    }

    /**
     * Places a run of checked PDUs of one room, in order: those that simply continue the room in one commit
     * ({@link RoomEngine#receiveChain}), each other one on its own, with its missing prev events fetched.
     */
    private void place(String origin, List<Checked> run, boolean fetchMissing, Outcome outcome) {
        if (run.isEmpty()) {
            return;
        }
        RoomId room = run.getFirst().room();
        List<Pdu> pdus = run.stream().map(Checked::pdu).toList();
        int next = 0;
        while (next < pdus.size()) {
            int placed = engine.receiveChain(room, pdus.subList(next, pdus.size()));
            pdus.subList(next, next + placed).forEach(outcome::placed);
            next += placed;
            if (next < pdus.size()) {
                Checked one = run.get(next++);
                try {
                    outcome.placed(placeOne(origin, one, fetchMissing));
                } catch (Rejected e) {
                    outcome.rejected(e);
                }
            }
        }
    }

    private Pdu placeOne(String origin, Checked checked, boolean fetchMissing) {
        RoomId room = checked.room();
        Pdu pdu = checked.pdu();
        StoredEvent stored = null;
        try {
            try {
                stored = engine.receive(room, pdu);
            } catch (RoomEngine.MissingPrevEvents e) {
                List<String> missing = e.missing;
                if (fetchMissing) {
                    fetchMissing(origin, room, pdu);
                }
                try {
                    stored = fetchMissing ? engine.receive(room, pdu) : null;
                } catch (RoomEngine.MissingPrevEvents again) {
                    missing = again.missing;
                }
                if (stored == null) {
                    // Still a gap (or an event pulled by get_missing_events): the state before it from the origin.
                    stored = engine.receive(room, pdu, missingPrevState.stateBefore(origin, room, checked.version(),
                            pdu, missing));
                }
            }
        } catch (MatrixException refused) {
            throw new Rejected(pdu.eventId(), refused.getMessage());
        }
        if (stored.rejected()) {
            throw new Rejected(pdu.eventId(), stored.rejectedReason() != null ? stored.rejectedReason() : "rejected");
        }
        return pdu;
    }

    /**
     * Spec: "Backfilling and retrieving missing events": the events between our extremities and this one, asked
     * {@link #MISSING_LIMIT} at a time (Synapse's page), each next page ending at the oldest events got so far whose
     * prev events are still unknown, until none are or {@code maxMissingEvents} were got. Then received oldest
     * first, so each finds its prev events placed.
     */
    private void fetchMissing(String origin, RoomId room, Pdu pdu) {
        List<String> earliest = reader.room(room).map(r -> extremities(room)).orElse(List.of());
        Optional<RoomVersion> version = reader.version(room);
        if (version.isEmpty()) {
            return;
        }
        Map<String, JsonObject> got = new java.util.HashMap<>();
        List<String> latest = List.of(pdu.eventId());
        while (!latest.isEmpty() && got.size() < maxMissingEvents) {
            JsonObject request = Json.objectBuilder()
                    .add("earliest_events", jakarta.json.Json.createArrayBuilder(earliest))
                    .add("latest_events", jakarta.json.Json.createArrayBuilder(latest))
                    .add("limit", Math.min(MISSING_LIMIT, maxMissingEvents - got.size())).add("min_depth", 0).build();
            JsonObject answer;
            try {
                answer = client.post(origin, "/_matrix/federation/v1/get_missing_events/"
                        + java.net.URLEncoder.encode(room.value(), java.nio.charset.StandardCharsets.UTF_8), request);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "get_missing_events from " + origin + " failed: " + e.getMessage());
                break;
            }
            int before = got.size();
            if (answer.get("events") instanceof JsonArray events) {
                for (JsonValue v : events) {
                    String id = v instanceof JsonObject o ? eventIdOf(version.get(), o) : null;
                    if (id != null) {
                        got.putIfAbsent(id, v.asJsonObject());
                    }
                }
            }
            if (got.size() == before) {
                break;
            }
            latest = unknownPrevEdges(version.get(), got);
        }
        List<JsonObject> missing = new ArrayList<>(got.values());
        missing.sort(Comparator.comparingLong(o -> o.getJsonNumber("depth") == null ? 0
                : o.getJsonNumber("depth").longValue()));
        Outcome logged = new Outcome() {
            @Override
            public void placed(Pdu placed) {
            }

            @Override
            public void rejected(Rejected e) {
                LOG.log(Level.DEBUG, "missing event refused: " + e.getMessage());
            }
        };
        List<Checked> run = new ArrayList<>();
        for (JsonObject o : missing) {
            try {
                Checked checked = check(origin, o);
                if (checked.room().equals(room)) {
                    run.add(checked);
                }
            } catch (Rejected e) {
                logged.rejected(e);
            }
        }
        place(origin, run, false, logged);
    }

    /**
     * The events of {@code fetched} with a prev event neither fetched nor placed here: where the next page of
     * {@code /get_missing_events} has to end.
     */
    private List<String> unknownPrevEdges(RoomVersion version, Map<String, JsonObject> fetched) {
        List<String> edges = new ArrayList<>();
        for (var entry : fetched.entrySet()) {
            for (String prev : safePrevEvents(new Pdu(entry.getKey(), entry.getValue()))) {
                if (!fetched.containsKey(prev) && reader.event(prev).filter(e -> !e.outlier()).isEmpty()) {
                    edges.add(entry.getKey());
                    break;
                }
            }
        }
        return edges;
    }

    private static List<String> safePrevEvents(Pdu p) {
        try {
            return p.prevEvents();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private List<String> extremities(RoomId room) {
        // The newest events we have are good earliest_events: the remote walks back until it reaches them.
        return reader.timeline(room, 0, reader.currentPosition(), 5, true).stream().map(e -> e.eventId()).toList();
    }
}
