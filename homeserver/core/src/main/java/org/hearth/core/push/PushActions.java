package org.hearth.core.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.hearth.core.port.EventPushActions;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.RoundTrip;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.sync.UnreadCounts;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.EvaluationContext;
import org.hearth.spec.push.PushAction;
import org.hearth.spec.push.PushEvent;
import org.hearth.spec.push.PushMatch;
import org.hearth.spec.push.PushOutcome;
import org.hearth.spec.push.PushRuleEvaluator;
import org.hearth.spec.room.RoomVersion;

/**
 * Evaluates every event the room engine commits against the push rules of each local user it may notify (the
 * room's joined local members but the sender, and a local invitee) and records the outcome in the commit's
 * transaction: one {@code push_room_actions} row per event with the outcome most joined members share, and an
 * {@code event_push_actions} row only for a member whose outcome differs (V27), so a message to a 1,000-member
 * room writes one row, not 999. Rulesets and member lists cached. Notifications for users with pushers wait here
 * until their commit is announced, then go to the push gateway sender.
 */
public final class PushActions implements EventPushActions {
    private static final String MEMBER = "m.room.member";
    private static final String REDACTION = "m.room.redaction";
    // Rows of one INSERT ... JSON_TABLE: bounds the statement (and packet) size in 10,000-member rooms.
    private static final int ROWS_PER_INSERT = 2_000;

    /** Stored as NULL: the actions of group messages under the default rules, the commonest by far. */
    static final List<PushAction> JUST_NOTIFY = List.of(PushAction.NOTIFY);

    private final String serverName;
    private final PushRulesets rulesets;
    private final Pushers pushers;
    // Joined members (all servers) of rooms lately written to; dropped when a commit changes membership.
    private final Cache<String, Joined> joined = Caffeine.newBuilder().maximumSize(10_000).build();
    private final ConcurrentHashMap<RoomId, ConcurrentLinkedQueue<Notified>> pending = new ConcurrentHashMap<>();

    // Where each commit's notifications are counted in memory for /sync (set once at wiring; none in some tests).
    private volatile UnreadNotifications unread;

    public PushActions(String serverName, PushRulesets rulesets, Pushers pushers) {
        this.serverName = serverName;
        this.rulesets = rulesets;
        this.pushers = pushers;
    }

    /** Tells {@code unread} what each commit notified, and whose counts a membership change or redaction changed. */
    public void countInto(UnreadNotifications unread) {
        this.unread = unread;
    }

    /** One notification for a user with pushers, to send once its event is committed. */
    public record Notified(UserId user, RoomId room, String eventId, long streamOrdering, List<PushAction> actions,
                           boolean highlight) {}

    /** What one event does for one member: notifies or not, highlights or not, with which actions. */
    private record Outcome(boolean notifies, boolean highlight, List<PushAction> actions) {
        static final Outcome SILENT = new Outcome(false, false, List.of());
    }

    /**
     * The outcomes of one event, one instance per distinct outcome. Most members match the same rule instance
     * (the shared default rules), whose action list is then read once, not once per member.
     */
    private static final class Outcomes {
        private final Map<List<PushAction>, Outcome> byActionList = new java.util.IdentityHashMap<>();
        private final Map<Outcome, Outcome> distinct = new HashMap<>();

        Outcome of(List<PushAction> actions) {
            Outcome known = byActionList.get(actions);
            if (known == null) {
                PushOutcome read = PushOutcome.of(actions);
                Outcome o = read.notifies() ? new Outcome(true, read.highlight(), actions) : Outcome.SILENT;
                known = distinct.computeIfAbsent(o, k -> k);
                byActionList.put(actions, known);
            }
            return known;
        }
    }

    /** A room's joined members (all servers), and this server's among them. */
    private record Joined(List<UserId> all, List<UserId> local, Set<UserId> localSet) {}

    // Positional (RoundTrip); one JSON array of rows each, unpacked by JSON_TABLE.
    private static final String ROOM_ACTIONS_INSERT = "INSERT INTO push_room_actions (room_id, stream_ordering,"
            + " thread_id, sender, highlight, actions) SELECT r.room_id, r.stream_ordering, r.thread_id, r.sender,"
            + " r.highlight, r.actions FROM JSON_TABLE(?, '$[*]' COLUMNS (room_id VARCHAR(255) PATH '$[0]',"
            + " stream_ordering BIGINT PATH '$[1]', thread_id VARCHAR(255) PATH '$[2]', sender VARCHAR(255) PATH '$[3]',"
            + " highlight BOOLEAN PATH '$[4]', actions TEXT PATH '$[5]')) AS r";
    private static final String ACTIONS_INSERT = "INSERT INTO event_push_actions (user_id, stream_ordering, room_id,"
            + " thread_id, highlight, notifies, actions) SELECT r.user_id, r.stream_ordering, r.room_id, r.thread_id,"
            + " r.highlight, r.notifies, r.actions FROM JSON_TABLE(?, '$[*]' COLUMNS (user_id VARCHAR(255) PATH '$[0]',"
            + " stream_ordering BIGINT PATH '$[1]', room_id VARCHAR(255) PATH '$[2]', thread_id VARCHAR(255) PATH '$[3]',"
            + " highlight BOOLEAN PATH '$[4]', actions TEXT PATH '$[5]', notifies BOOLEAN PATH '$[6]')) AS r";

    private static String actionsJson(Outcome o) {
        return o.actions().equals(JUST_NOTIFY) ? "null" : quoted(PushAction.toJson(o.actions()).toString());
    }

    @Override
    public void persisting(DbExecute tx, RoomId room, RoomVersion version, List<StoredEvent> events,
                           Function<StateKey, Pdu> currentState) {
        RoundTrip writes = new RoundTrip();
        persisting(tx, writes, room, version, events, currentState);
        writes.send(tx);
    }

    @Override
    public void persisting(DbExecute tx, RoundTrip writes, RoomId room, RoomVersion version, List<StoredEvent> events,
                           Function<StateKey, Pdu> currentState) {
        boolean membershipChanged = false;
        Set<String> redacted = new java.util.HashSet<>();
        Joined joinedBefore = joined.getIfPresent(room.value());
        for (StoredEvent e : events) {
            if (MEMBER.equals(e.type())) {
                membershipChanged = true;
                membershipClearsCounts(tx, room, e, joinedBefore == null ? null : joinedBefore.localSet());
            }
            if (REDACTION.equals(e.type())) {
                // A redacted event no longer notifies (as Synapse): its counts and /notifications entry go.
                String redacts = redactsOf(e.pdu());
                if (redacts != null) {
                    redacted.add(redacts);
                    tx.createNamedGet("notifications-event-position").addParam("event_id", redacts)
                            .addParam("room_id", room.value()).execute()
                            .ifPresent(row -> {
                                UnreadNotifications counts = unread;
                                if (counts != null) {
                                    org.hearth.core.storage.Database.afterCommit(() -> counts.roomChanged(room));
                                }
                                long position = UnreadNotifications.number(row, "stream_ordering");
                                tx.createNamedDelete("notifications-actions-delete-event")
                                        .addParam("stream_ordering", position).addParam("room_id", room.value())
                                        .execute();
                                tx.createNamedDelete("notifications-room-actions-delete-event")
                                        .addParam("stream_ordering", position).addParam("room_id", room.value())
                                        .execute();
                            });
                }
            }
        }
        Joined members = membershipChanged ? loadJoined(tx, room) : joined.get(room.value(), r -> loadJoined(tx, room));
        if (membershipChanged) {
            joined.invalidate(room.value());
        }
        List<UserId> local = members.local();
        Map<StateKey, Pdu> powerState = new HashMap<>();
        for (StateKey k : List.of(StateKey.of("m.room.create", ""), StateKey.of("m.room.power_levels", ""))) {
            Pdu p = currentState.apply(k);
            if (p != null) {
                powerState.put(k, p);
            }
        }
        PowerLevels levels = PowerLevels.fromState(version, powerState);
        Map<String, Pdu> batch = new HashMap<>();
        events.forEach(e -> batch.put(e.eventId(), e.pdu()));
        List<String> roomRows = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        List<Notified> notified = new ArrayList<>();
        Set<UserId> joinedLocal = members.localSet();
        List<UnreadNotifications.Counted> counted = new ArrayList<>();
        for (StoredEvent e : events) {
            if (!e.inTimeline() || redacted.contains(e.eventId())) {
                continue;
            }
            Pdu pdu = e.pdu();
            UserId sender = UserId.tryParse(pdu.sender()).orElse(null);
            List<UserId> candidates = new ArrayList<>(local.size() + 1);
            for (UserId u : local) {
                if (!u.equals(sender)) {
                    candidates.add(u);
                }
            }
            // Candidates before this index are joined; after it comes at most the invitee.
            int joinedCandidates = candidates.size();
            invitee(pdu).filter(u -> !u.equals(sender) && !joinedLocal.contains(u)).ifPresent(candidates::add);
            if (candidates.isEmpty()) {
                continue;
            }
            String thread = threadOf(tx, pdu, batch);
            long senderLevel = levels.userLevel(pdu.sender());
            Outcome[] outcomes = new Outcome[candidates.size()];
            // Outcomes are one instance per distinct outcome (Outcomes), so identity counts them.
            Map<Outcome, int[]> shares = new java.util.IdentityHashMap<>();
            // Shared by every member's evaluation: the event's properties and conditions are read once.
            PushEvent evaluated = new PushEvent(pdu.json());
            java.util.function.Function<String, java.util.OptionalLong> notificationLevels = levels::notificationLevel;
            Outcomes distinct = new Outcomes();
            int notifying = 0;
            for (int i = 0; i < candidates.size(); i++) {
                UserId user = candidates.get(i);
                PushRulesets.Rules rules = rulesets.get(tx, user);
                String name = rules.needsDisplayName() ? displayName(currentState, user) : null;
                var ctx = new EvaluationContext(user, name, members.all().size(), senderLevel, notificationLevels);
                Optional<PushMatch> match = PushRuleEvaluator.evaluate(rules.ruleset(), evaluated, ctx);
                Outcome outcome = match.isEmpty() ? Outcome.SILENT : distinct.of(match.get().actions());
                outcomes[i] = outcome;
                if (i < joinedCandidates) {
                    shares.computeIfAbsent(outcome, o -> new int[1])[0]++;
                }
                if (outcome.notifies()) {
                    notifying++;
                    if (pushers.hasPushers(user)) {
                        notified.add(new Notified(user, room, e.eventId(), e.streamOrdering(), outcome.actions(),
                                outcome.highlight()));
                    }
                }
            }
            if (unread != null && notifying > 0) {
                Map<UserId, Boolean> highlights = HashMap.newHashMap(notifying);
                for (int i = 0; i < outcomes.length; i++) {
                    if (outcomes[i].notifies()) {
                        highlights.put(candidates.get(i), outcomes[i].highlight());
                    }
                }
                counted.add(new UnreadNotifications.Counted(room, e.streamOrdering(), thread, highlights));
            }
            // The room row holds what most joined members get; only the others (and an invitee) get a row.
            Outcome common = Outcome.SILENT;
            int most = 0;
            for (Map.Entry<Outcome, int[]> share : shares.entrySet()) {
                if (share.getValue()[0] > most) {
                    most = share.getValue()[0];
                    common = share.getKey();
                }
            }
            if (common.notifies()) {
                roomRows.add("[" + quoted(room.value()) + "," + e.streamOrdering() + "," + quoted(thread) + ","
                        + quoted(pdu.sender()) + "," + (common.highlight() ? 1 : 0) + "," + actionsJson(common) + "]");
            }
            // Every row of this event shares these; built once, not per member.
            String shared = "," + e.streamOrdering() + "," + quoted(room.value()) + "," + quoted(thread) + ",";
            for (int i = 0; i < outcomes.length; i++) {
                Outcome outcome = outcomes[i];
                boolean covered = common.notifies() && i < joinedCandidates;
                if (outcome == common && covered || !outcome.notifies() && !covered) {
                    continue;
                }
                rows.add("[" + quoted(candidates.get(i).value()) + shared + (outcome.highlight() ? 1 : 0) + ","
                        + actionsJson(outcome) + "," + (outcome.notifies() ? 1 : 0) + "]");
            }
        }
        if (!roomRows.isEmpty()) {
            writes.add(ROOM_ACTIONS_INSERT, List.of("[" + String.join(",", roomRows) + "]"));
        }
        for (int i = 0; i < rows.size(); i += ROWS_PER_INSERT) {
            List<String> chunk = rows.subList(i, Math.min(rows.size(), i + ROWS_PER_INSERT));
            writes.add(ACTIONS_INSERT, List.of("[" + String.join(",", chunk) + "]"));
        }
        if (!notified.isEmpty()) {
            // Only once committed: the engine may still roll the batch back (a retried transaction ID).
            Database.afterCommit(() -> pending.computeIfAbsent(room, r -> new ConcurrentLinkedQueue<>()).addAll(notified));
        }
        UnreadNotifications counts = unread;
        if (counts != null && !counted.isEmpty()) {
            org.hearth.core.storage.Database.afterCommit(() -> counted.forEach(counts::counted));
        }
    }

    /**
     * The notifications of {@code room}'s events up to {@code position}, once the engine announced their commit;
     * later ones (a commit still in progress) stay.
     */
    public List<Notified> committed(RoomId room, long position) {
        ConcurrentLinkedQueue<Notified> queue = pending.get(room);
        if (queue == null) {
            return List.of();
        }
        List<Notified> out = new ArrayList<>();
        queue.removeIf(n -> {
            if (n.streamOrdering() <= position) {
                out.add(n);
                return true;
            }
            return false;
        });
        if (queue.isEmpty()) {
            pending.remove(room, queue);
        }
        return out;
    }

    private Joined loadJoined(DbExecute tx, RoomId room) {
        List<UserId> out = new ArrayList<>();
        tx.createNamedQuery("notifications-joined-members").addParam("room_id", room.value()).execute()
                .forEach(row -> UserId.tryParse(row.column("user_id").get(String.class)).ifPresent(out::add));
        List<UserId> local = out.stream().filter(u -> u.domain().equals(serverName)).toList();
        return new Joined(List.copyOf(out), local, Set.copyOf(local));
    }

    /**
     * A local user who leaves (or is kicked or banned) keeps no unread counts in the room; one who joins counts
     * only what follows the join (as Synapse, which counts from the join when there is no receipt).
     */
    private void membershipClearsCounts(DbExecute tx, RoomId room, StoredEvent e, Set<UserId> joinedBefore) {
        String membership = e.pdu().content().getString("membership", "");
        Optional<UserId> target = e.stateKey().flatMap(UserId::tryParse);
        if (target.isEmpty() || !target.get().domain().equals(serverName)) {
            return;
        }
        UnreadNotifications counts = unread;
        if (counts != null) {
            org.hearth.core.storage.Database.afterCommit(() -> counts.membershipChanged(target.get()));
        }
        switch (membership) {
            // Nothing in a room left is unread; its notifications stay listed, as read, up to the leave.
            case "leave", "ban" -> tx.createNamedUpdate("notifications-left")
                    .addParam("user_id", target.get().value()).addParam("room_id", room.value())
                    .addParam("upto", e.streamOrdering()).execute();
            case "join" -> {
                // A profile change is a join over a join: not a new start. Unknown (not cached) counts as new.
                if (joinedBefore == null || !joinedBefore.contains(target.get())) {
                    tx.createNamedUpdate("notifications-joined").addParam("user_id", target.get().value())
                            .addParam("room_id", room.value()).addParam("upto", e.streamOrdering()).execute();
                }
            }
            default -> { }
        }
    }

    /** An invite notifies its local target, who is not joined yet (.m.rule.invite_for_me). */
    private Optional<UserId> invitee(Pdu pdu) {
        if (!MEMBER.equals(pdu.type()) || !"invite".equals(pdu.content().getString("membership", ""))) {
            return Optional.empty();
        }
        return pdu.stateKey().flatMap(UserId::tryParse).filter(u -> u.domain().equals(serverName));
    }

    private static String displayName(Function<StateKey, Pdu> state, UserId user) {
        Pdu member = state.apply(StateKey.of(MEMBER, user.value()));
        return member == null ? null : member.content().getString("displayname", null);
    }

    /**
     * Spec "Threading": an event in a thread has an {@code m.thread} relation to the root; an edit, reaction or
     * reference belongs to the thread of the event it relates to (as Synapse counts them); all else is main.
     */
    private static String threadOf(DbExecute tx, Pdu pdu, Map<String, Pdu> batch) {
        JsonObject relation = relation(pdu.content());
        if (relation == null) {
            return UnreadCounts.MAIN;
        }
        String target = relation.getString("event_id", null);
        if ("m.thread".equals(relation.getString("rel_type", null)) && target != null) {
            return target;
        }
        if (target == null) {
            return UnreadCounts.MAIN;
        }
        Pdu parent = batch.get(target);
        JsonObject parentContent = parent != null ? parent.content()
                : tx.createNamedGet("notifications-event-json").addParam("event_id", target).execute()
                        .map(row -> Json.parseObject(row.column("json").get(String.class)))
                        .map(json -> json.get("content") instanceof JsonObject c ? c : null).orElse(null);
        JsonObject parentRelation = parentContent == null ? null : relation(parentContent);
        if (parentRelation != null && "m.thread".equals(parentRelation.getString("rel_type", null))
                && parentRelation.get("event_id") instanceof JsonString root) {
            return root.getString();
        }
        return UnreadCounts.MAIN;
    }

    private static JsonObject relation(JsonObject content) {
        return content.get("m.relates_to") instanceof JsonObject r && r.get("event_id") instanceof JsonString
                ? r : null;
    }

    private static String quoted(String s) {
        return Json.string(s).toString();
    }

    private static String redactsOf(Pdu pdu) {
        if (pdu.json().get("redacts") instanceof JsonString s) {
            return s.getString();
        }
        return pdu.content().get("redacts") instanceof JsonString s ? s.getString() : null;
    }
}
