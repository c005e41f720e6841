package org.hearth.federation.send;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.hearth.core.port.RemoteMembership;
import org.hearth.core.room.RoomEngine;
import org.hearth.core.room.RoomReader;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.federation.inbound.PduChecks;
import org.hearth.spec.auth.AuthChainCheck;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Server-Server API, "Joining Rooms", the joining server's side: make_join on a resident server, sign the
 * template, send_join, check the returned state and auth chain (format and signatures, hashes with redaction on a
 * mismatch, each event against its own auth events; failing events are left out, a failing create event refuses
 * the join), then store the room: state and auth chain as outliers, the join with the state before it. The servers are tried in order until one answers.
 */
public final class RemoteMembershipClient implements RemoteMembership {
    private static final System.Logger LOG = System.getLogger(RemoteMembershipClient.class.getName());
    private final String ownName;
    private final SigningKey key;
    private final FederationClient client;
    private final PduChecks checks;
    private final RoomEngine engine;
    private final Clock clock;
    private final RoomReader reader;

    public RemoteMembershipClient(String ownName, SigningKey key, FederationClient client, PduChecks checks,
                                  RoomEngine engine, RoomReader reader, Clock clock) {
        this.reader = reader;
        this.ownName = ownName;
        this.key = key;
        this.client = client;
        this.checks = checks;
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public void join(UserId user, RoomId room, List<String> servers, JsonObject content) {
        through(servers, room, server -> joinThrough(server, user, room, content));
    }

    @Override
    public void leave(UserId user, RoomId room, List<String> servers, JsonObject content) {
        through(servers, room, server -> {
            Made made = make(server, "leave", user, room, content);
            userAsked("PUT", server, "/_matrix/federation/v2/send_leave/" + encode(room.value()) + "/"
                    + encode(made.event().eventId()), made.event().json());
            engine.storeRemoteMembership(room, made.event());
        });
    }

    @Override
    public void knock(UserId user, RoomId room, List<String> servers, JsonObject content) {
        through(servers, room, server -> {
            Made made = make(server, "knock", user, room, content);
            JsonObject answer = userAsked("PUT", server, "/_matrix/federation/v1/send_knock/"
                    + encode(room.value()) + "/" + encode(made.event().eventId()), made.event().json());
            // Spec: entries improperly signed or formatted are dropped; clients get them as stripped state.
            var stripped = jakarta.json.Json.createArrayBuilder();
            if (answer.get("knock_room_state") instanceof JsonArray state) {
                for (JsonValue v : state) {
                    if (v instanceof JsonObject o && checks.check(made.version(), o)
                            instanceof PduChecks.Checked.Usable(Pdu pdu, boolean redacted) && pdu.isState()) {
                        stripped.add(Json.objectBuilder().add("type", pdu.type())
                                .add("state_key", pdu.stateKey().orElse("")).add("sender", pdu.sender())
                                .add("content", pdu.content()));
                    }
                }
            }
            JsonObject json = made.event().json();
            JsonObject unsigned = json.get("unsigned") instanceof JsonObject u ? u : JsonObject.EMPTY_JSON_OBJECT;
            engine.storeRemoteMembership(room, new Pdu(made.event().eventId(), Json.objectBuilder(json)
                    .add("unsigned", Json.objectBuilder(unsigned).add("knock_room_state", stripped)).build()));
        });
    }

    /** A server's answer this server cannot use (spec-breaking or tampered): the next server is tried. */
    private static final class InvalidAnswer extends RuntimeException {
        InvalidAnswer(String message) {
            super(message);
        }
    }

    /**
     * Tries each server (without this one) in order until one succeeds. A refusal (403) of the last server that
     * answered is passed on as such; else invalid answers give 502 {@code M_BAD_STATUS} (as Synapse's "failed to
     * join via any server"); otherwise no server could be reached: {@code M_NOT_FOUND}.
     */
    private void through(List<String> servers, RoomId room, java.util.function.Consumer<String> attempt) {
        Set<String> candidates = new LinkedHashSet<>(servers);
        candidates.remove(ownName);
        if (candidates.isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + room.value() + " and no server to ask");
        }
        List<String> problems = new ArrayList<>();
        FederationException refused = null;
        boolean invalid = false;
        for (String server : candidates) {
            try {
                attempt.accept(server);
                return;
            } catch (InvalidAnswer e) {
                LOG.log(Level.INFO, "unusable answer of " + server + " for " + room + ": " + e.getMessage());
                problems.add(server + ": " + e.getMessage());
                invalid = true;
            } catch (FederationException e) {
                problems.add(server + ": " + e.getMessage());
                if (e.status() == 403) {
                    refused = e;
                }
            }
        }
        if (refused != null) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Refused by " + refused.getMessage());
        }
        if (invalid) {
            throw new MatrixException(ErrorCode.BAD_STATUS, "No server gave a usable answer for " + room.value() + ": "
                    + String.join("; ", problems));
        }
        throw new MatrixException(ErrorCode.NOT_FOUND, "No server could be asked about " + room.value() + ": "
                + String.join("; ", problems));
    }

    private record Made(RoomVersion version, Pdu event) {}

    /**
     * A request a user is waiting for: tried even while the destination is backed off (as Synapse does for joins),
     * since the backoff is there to spare background traffic, and one failed transaction should not refuse a join.
     */
    private JsonObject userAsked(String method, String server, String target, JsonObject body) {
        return client.request(method, server, target, body, true);
    }

    /** make_{membership} on {@code server}, checked, completed with {@code content}, hashed and signed. */
    private Made make(String server, String membership, UserId user, RoomId room, JsonObject content) {
        StringBuilder target = new StringBuilder("/_matrix/federation/v1/make_").append(membership).append('/')
                .append(encode(room.value())).append('/').append(encode(user.value()));
        if (!membership.equals("leave")) {
            char sep = '?';
            for (RoomVersion v : RoomVersion.ALL) {
                target.append(sep).append("ver=").append(encode(v.id()));
                sep = '&';
            }
        }
        JsonObject made = userAsked("GET", server, target.toString(), null);
        RoomVersion version = RoomVersion.find(made.getString("room_version", "1"))
                .orElseThrow(() -> new MatrixException(ErrorCode.INCOMPATIBLE_ROOM_VERSION, "unknown room version"));
        if (!(made.get("event") instanceof JsonObject template)
                || !room.value().equals(template.getString("room_id", null))
                || !user.value().equals(template.getString("state_key", null))
                || !user.value().equals(template.getString("sender", null))) {
            throw new InvalidAnswer("make_" + membership + " answered with a bad template");
        }
        JsonObject withContent = Json.objectBuilder(template)
                .add("content", Json.objectBuilder(content).add("membership", membership))
                .add("origin", ownName).add("origin_server_ts", clock.millis()).build();
        JsonObject signed = EventSigning.hashAndSign(version, withContent, ownName, key);
        return new Made(version, EventIds.pdu(version, signed));
    }

    private void joinThrough(String server, UserId user, RoomId room, JsonObject content) {
        Made made = make(server, "join", user, room, content);
        RoomVersion version = made.version();
        Pdu join = made.event();
        JsonObject answer = userAsked("PUT", server, "/_matrix/federation/v2/send_join/" + encode(room.value()) + "/"
                + encode(join.eventId()), join.json());
        if (answer.get("event") instanceof JsonObject signedByResident) {
            // Spec: the resident server's signed copy (restricted joins): it must be our event, validly signed.
            if (!(checks.check(version, signedByResident) instanceof PduChecks.Checked.Usable(Pdu copy, boolean redacted))
                    || redacted || !copy.eventId().equals(join.eventId())) {
                throw new InvalidAnswer("send_join answered with another join event than the one sent");
            }
            join = copy;
        }
        List<Pdu> state = checked(version, room, answer.get("state"));
        List<Pdu> chain = checked(version, room, answer.get("auth_chain"));
        // Each event against its own auth events, auth events first; one that fails is left out.
        Map<String, Pdu> all = new LinkedHashMap<>();
        chain.forEach(p -> all.put(p.eventId(), p));
        state.forEach(p -> all.put(p.eventId(), p));
        Map<String, String> failures = AuthChainCheck.failures(version, all.values());
        Pdu create = state.stream().filter(p -> "m.room.create".equals(p.type())).findFirst().orElse(null);
        if (create == null || failures.containsKey(create.eventId())) {
            throw new InvalidAnswer("send_join answer has no valid create event"
                    + (create == null ? "" : ": " + failures.get(create.eventId())));
        }
        // As Synapse: either the make_join or the send_join server is lying about the room.
        JsonValue said = create.content().getOrDefault("room_version", jakarta.json.Json.createValue("1"));
        if (!(said instanceof jakarta.json.JsonString s) || !version.id().equals(s.getString())) {
            throw new InvalidAnswer("the create event says room version " + said + ", make_join said " + version.id());
        }
        if (!failures.isEmpty()) {
            LOG.log(Level.INFO, "send_join answer of " + server + " for " + room + ": left out events that failed auth: "
                    + failures);
        }
        engine.joinRemote(version, room, state.stream().filter(p -> !failures.containsKey(p.eventId())).toList(),
                chain.stream().filter(p -> !failures.containsKey(p.eventId())).toList(), join);
    }

    // Spec: "Stripped state", what the invitee sees of the room before joining.
    private static final List<String> STRIPPED = List.of("m.room.create", "m.room.join_rules", "m.room.name",
            "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic");

    @Override
    public void invite(RoomId room, UserId sender, UserId invitee, JsonObject content) {
        RoomVersion version = reader.version(room)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + room.value()));
        JsonObject template = engine.template(room, sender, org.hearth.core.room.EventDraft.state("m.room.member",
                invitee.value(), content));
        JsonObject signed = EventSigning.hashAndSign(version, Json.objectBuilder(template)
                .add("origin_server_ts", clock.millis()).build(), ownName, key);
        Pdu invite = EventIds.pdu(version, signed);
        var state = jakarta.json.Json.createArrayBuilder();
        var current = reader.currentState(room);
        for (var entry : current.entrySet()) {
            boolean senderMember = entry.getKey().type().equals("m.room.member")
                    && entry.getKey().stateKey().equals(sender.value());
            if (STRIPPED.contains(entry.getKey().type()) && entry.getKey().stateKey().isEmpty() || senderMember) {
                var e = entry.getValue();
                state.add(Json.objectBuilder().add("type", e.type()).add("state_key", e.stateKey().orElse(""))
                        .add("sender", e.sender()).add("content", e.pdu().content()));
            }
        }
        JsonObject answer;
        try {
            answer = userAsked("PUT", invitee.domain(), "/_matrix/federation/v2/invite/" + encode(room.value()) + "/"
                    + encode(invite.eventId()), Json.objectBuilder().add("room_version", version.id())
                    .add("event", signed).add("invite_room_state", state).build());
        } catch (FederationException e) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The invitee's server refused the invite: " + e.getMessage());
        }
        if (!(answer.get("event") instanceof JsonObject cosigned)
                || !invite.eventId().equals(EventIds.compute(version, cosigned))
                || !checks.signedBy(version, cosigned, invitee.domain())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The invitee's server did not sign the invite");
        }
        try {
            if (engine.receive(room, new Pdu(invite.eventId(), cosigned)).rejected()) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "The invite is not allowed in the room");
            }
        } catch (RoomEngine.MissingPrevEvents e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The events that pass format and signature checks (spec: others are dropped), redacted when their content hash
     * does not match, and that belong to the room.
     */
    private List<Pdu> checked(RoomVersion version, RoomId room, JsonValue events) {
        if (!(events instanceof JsonArray array)) {
            throw new InvalidAnswer("send_join answer lacks state or auth_chain");
        }
        List<JsonObject> objects = new ArrayList<>(array.size());
        for (JsonValue v : array) {
            if (v instanceof JsonObject o) {
                objects.add(o);
            }
        }
        List<Pdu> out = new ArrayList<>();
        for (PduChecks.Checked outcome : checkAll(version, objects)) {
            switch (outcome) {
                case PduChecks.Checked.Dropped(String reason) ->
                        LOG.log(Level.INFO, "send_join answer: dropped an event of " + room + ": " + reason);
                case PduChecks.Checked.Usable(Pdu pdu, boolean redacted) -> {
                    // From v12 the create event has no room_id: the room ID is derived from it.
                    String roomOf = pdu.roomId().orElseGet(() -> "m.room.create".equals(pdu.type())
                            && version.roomIdFromCreateEvent() ? EventIds.roomIdOfCreateEvent(version, pdu.json()) : null);
                    if (room.value().equals(roomOf)) {
                        out.add(pdu);
                    }
                }
            }
        }
        return out;
    }

    /**
     * {@link PduChecks#check} of every event, in order. A big room's answer has tens of thousands of events and the
     * Ed25519 verification of each dominates the join: they are checked in slices on virtual threads (a few per
     * core), the first one alone before, so that the resident server's keys are fetched once and then cached.
     * No database connection is held here.
     */
    private List<PduChecks.Checked> checkAll(RoomVersion version, List<JsonObject> objects) {
        PduChecks.Checked[] outcomes = new PduChecks.Checked[objects.size()];
        if (objects.isEmpty()) {
            return List.of();
        }
        outcomes[0] = checks.check(version, objects.getFirst());
        int slices = Math.min(objects.size() - 1, 2 * Runtime.getRuntime().availableProcessors());
        if (slices > 0) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>(slices);
            try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int s = 0; s < slices; s++) {
                    int slice = s;
                    done.add(executor.submit(() -> {
                        for (int i = 1 + slice; i < outcomes.length; i += slices) {
                            outcomes[i] = checks.check(version, objects.get(i));
                        }
                    }));
                }
                for (var f : done) {
                    f.get();
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking a send_join answer", e);
            }
        }
        return java.util.Arrays.asList(outcomes);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
