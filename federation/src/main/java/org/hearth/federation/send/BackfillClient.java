package org.hearth.federation.send;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.port.RemoteHistory;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomEngine;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.inbound.MissingPrevState;
import org.hearth.federation.inbound.PduChecks;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Server-Server API, "Backfilling and retrieving missing events", the asking side. When a client pages back
 * past the oldest events this server has of a room, the servers in it are asked in turn for the events before the
 * room's backward extremities ({@code GET /backfill?v=...&limit=100}) until one gives some. Each PDU goes through the
 * checks of a received one (format, signatures, hash: {@link PduChecks}; auth in the room engine) and is placed
 * below everything the room shows ({@link RoomEngine#placeHistory}), oldest lowest. The oldest of a batch, whose
 * prev events are still missing, get their state from the answering server's {@code /state_ids}
 * ({@link MissingPrevState}). Failures are quiet: the client gets what is there.
 */
public final class BackfillClient implements RemoteHistory {
    private static final Logger LOG = System.getLogger(BackfillClient.class.getName());
    // Synapse asks for 100 events per request; resident servers cap their answer there too.
    static final int LIMIT = 100;
    // Servers asked per attempt at most: a big room has hundreds, and each failure costs a timeout.
    static final int MAX_SERVERS = 5;

    private final String ownName;
    private final FederationClient client;
    private final PduChecks checks;
    private final RoomEngine engine;
    private final RoomReader reader;
    private final MissingPrevState missingPrevState;
    // Extremities that gave nothing lately: paging back again soon does not ask again.
    private final Cache<String, Boolean> fruitless = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();
    // One backfill per room at a time: a second pager waits and then finds the events there.
    private final Cache<String, Object> roomLocks = Caffeine.newBuilder().weakValues().build();

    public BackfillClient(String ownName, FederationClient client, PduChecks checks, RoomEngine engine,
                          RoomReader reader) {
        this.ownName = ownName;
        this.client = client;
        this.checks = checks;
        this.engine = engine;
        this.reader = reader;
        this.missingPrevState = new MissingPrevState(reader, engine, checks, client);
    }

    @Override
    public boolean backfill(RoomId room) {
        Object lock = roomLocks.get(room.value(), k -> new Object());
        synchronized (lock) {
            try {
                return attempt(room);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "backfill of " + room + " failed: " + e.getMessage());
                return false;
            }
        }
    }

    private boolean attempt(RoomId room) {
        Optional<RoomVersion> version = reader.version(room);
        List<String> extremities = version.isEmpty() ? List.of() : reader.backwardExtremities(room);
        if (extremities.isEmpty()) {
            return false;
        }
        String key = room.value() + "\n" + String.join("\n", extremities.stream().sorted().toList());
        if (fruitless.getIfPresent(key) != null) {
            return false;
        }
        StringBuilder query = new StringBuilder("?limit=").append(LIMIT);
        extremities.forEach(id -> query.append("&v=").append(encode(id)));
        for (String server : servers(room)) {
            JsonObject answer;
            try {
                answer = client.get(server, "/_matrix/federation/v1/backfill/" + encode(room.value()) + query);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "backfill from " + server + " failed: " + e.getMessage());
                continue;
            }
            if (store(server, room, version.get(), answer) > 0) {
                return true;
            }
        }
        fruitless.put(key, Boolean.TRUE);
        return false;
    }

    /**
     * The servers to ask: the room creator's first (it has the room's whole history, unless it left), then those
     * of the joined members, most members first; never this one.
     */
    List<String> servers(RoomId room) {
        Map<String, Integer> members = new HashMap<>();
        for (Membership m : reader.members(room)) {
            if (Membership.JOIN.equals(m.membership())) {
                UserId.tryParse(m.userId()).ifPresent(u -> members.merge(u.domain(), 1, Integer::sum));
            }
        }
        Set<String> ordered = new LinkedHashSet<>();
        room.serverName().map(ServerName::value).filter(members::containsKey).ifPresent(ordered::add);
        members.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey())).forEach(e -> ordered.add(e.getKey()));
        ordered.remove(ownName);
        return ordered.stream().limit(MAX_SERVERS).toList();
    }

    /** Checks and places the answer's PDUs; how many were placed and accepted. */
    private int store(String origin, RoomId room, RoomVersion version, JsonObject answer) {
        if (!(answer.get("pdus") instanceof JsonArray pdus)) {
            return 0;
        }
        Map<String, Pdu> usable = new HashMap<>();
        for (JsonValue v : pdus) {
            if (usable.size() == LIMIT) {
                break;
            }
            if (!(v instanceof JsonObject json)) {
                continue;
            }
            switch (checks.check(version, json)) {
                case PduChecks.Checked.Dropped(String reason) ->
                        LOG.log(Level.DEBUG, "backfilled PDU from " + origin + " dropped: " + reason);
                case PduChecks.Checked.Usable(Pdu pdu, boolean redacted) -> {
                    boolean inRoom = room.value().equals(pdu.roomId().orElse(null))
                            || pdu.roomId().isEmpty() && pdu.prevEvents().isEmpty(); // a v12 create event
                    boolean placed = reader.event(pdu.eventId()).filter(e -> !e.outlier()).isPresent();
                    if (inRoom && !placed) {
                        usable.put(pdu.eventId(), pdu);
                    }
                }
            }
        }
        if (usable.isEmpty()) {
            return 0;
        }
        // Oldest first: each event's prev and auth events are placed before it, and it gets the lower position.
        List<Pdu> ordered = usable.values().stream().sorted(Comparator.comparingLong(Pdu::depth)
                .thenComparingLong(Pdu::originServerTs).thenComparing(Pdu::eventId)).toList();
        long position = engine.reserveHistory(ordered.size());
        int placed = 0;
        for (Pdu pdu : ordered) {
            if (place(origin, room, version, pdu, position++)) {
                placed++;
            }
        }
        LOG.log(Level.DEBUG, "backfilled " + placed + " of " + ordered.size() + " events of " + room + " from " + origin);
        return placed;
    }

    private boolean place(String origin, RoomId room, RoomVersion version, Pdu pdu, long position) {
        try {
            StoredEvent stored;
            try {
                stored = engine.placeHistory(room, pdu, null, position);
            } catch (RoomEngine.MissingPrevEvents e) {
                stored = engine.placeHistory(room, pdu,
                        missingPrevState.stateBefore(origin, room, version, pdu, e.missing), position);
            }
            if (stored.rejected()) {
                LOG.log(Level.DEBUG, "backfilled event " + pdu.eventId() + " rejected: " + stored.rejectedReason());
            }
            return !stored.rejected();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "backfilled event " + pdu.eventId() + " not stored: " + e.getMessage());
            return false;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
