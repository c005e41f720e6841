package org.hearth.spec.stateres;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * Which state an event's authorization consults, and the iterative auth checks built on it (spec v2 state
 * resolution, "Iterative auth checks"; the keys are those of server-server API "Auth events selection").
 */
final class AuthStateSelection {
    static final StateKey CREATE = StateKey.of("m.room.create", "");
    static final StateKey POWER_LEVELS = StateKey.of("m.room.power_levels", "");
    static final StateKey JOIN_RULES = StateKey.of("m.room.join_rules", "");

    private AuthStateSelection() {}

    /**
     * The (type, state_key) pairs "required for checking the authorisation rules" of {@code event}: the keys
     * "Auth events selection" lists. The create event is listed in every version: from v12 on it is not
     * among {@code auth_events} but {@code AuthRules.check} still wants it in the auth state.
     */
    static Set<StateKey> requiredKeys(RoomVersion version, Pdu event) {
        Set<StateKey> keys = new LinkedHashSet<>();
        keys.add(CREATE);
        keys.addAll(AuthRules.authEventTypes(version, event));
        return keys;
    }

    /**
     * The auth state for checking {@code eventId} against {@code state}: each required key from the state,
     * else "the appropriate state event from the event's auth_events" (spec: "Iterative auth checks").
     * Rejection is not known here: an auth event the lookup returns is taken as not rejected, so callers
     * must not hand state resolution events rejected against their auth chain (spec: "Rejected events").
     * v12: the create event is not in auth_events; it is the event named by the room ID.
     */
    static Map<StateKey, Pdu> authState(RoomVersion version, EventGraph graph, String eventId,
                                        Map<StateKey, String> state) {
        Pdu event = graph.pdu(eventId);
        Map<StateKey, Pdu> fromAuthEvents = new HashMap<>();
        for (String a : graph.authIds(eventId)) {
            StateKey k = graph.key(a);
            if (k != null) {
                fromAuthEvents.putIfAbsent(k, graph.pdu(a));
            }
        }
        Map<StateKey, Pdu> result = new HashMap<>();
        for (StateKey k : requiredKeys(version, event)) {
            String inState = state.get(k);
            Pdu pdu = inState == null ? null : graph.pdu(inState);
            if (pdu == null) {
                pdu = fromAuthEvents.get(k);
            }
            if (pdu == null && k.equals(CREATE)) {
                pdu = roomCreateEvent(version, graph, event);
            }
            if (pdu != null) {
                result.put(k, pdu);
            }
        }
        return result;
    }

    /** v12 (MSC4291): the create event's ID is the room ID with sigil {@code $} instead of {@code !}. */
    static Pdu roomCreateEvent(RoomVersion version, EventGraph graph, Pdu event) {
        if (!version.roomIdFromCreateEvent() || event.roomId().isEmpty()) {
            return null;
        }
        String roomId = event.roomId().get();
        return roomId.startsWith("!") ? graph.pdu("$" + roomId.substring(1)) : null;
    }

    /**
     * Applies each event of {@code ordered} to {@code state} when the authorization rules allow it against
     * the auth state above, ignoring it otherwise (spec: "Iterative auth checks"). Mutates {@code state}.
     */
    static void iterativeAuthChecks(RoomVersion version, EventGraph graph, AuthCheck auth,
                                    Map<StateKey, String> state, List<String> ordered) {
        for (String id : ordered) {
            Pdu event = graph.pdu(id);
            StateKey key = graph.key(id);
            if (event == null || key == null) {
                continue; // unknown, or not a state event: nothing to apply
            }
            if (auth.check(version, event, authState(version, graph, id, state)).allowed()) {
                state.put(key, id);
            }
        }
    }
}
