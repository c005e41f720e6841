package org.hearth.spec.auth;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Server-Server API, "Joining Rooms" and "Checks performed on receipt of a PDU" step 4, over a set of events
 * such as a send_join answer's state and auth chain: each event is checked against its own auth_events, after them
 * (auth-chain order). An event fails when an auth event is not in the set or failed itself, when its auth_events
 * list breaks rule 2, or when the auth rules refuse it given those events.
 */
public final class AuthChainCheck {
    private AuthChainCheck() {}

    /** The events of {@code events} that fail, by event ID, with the reason; the others pass. */
    public static Map<String, String> failures(RoomVersion version, Collection<Pdu> events) {
        Map<String, Pdu> byId = new HashMap<>();
        Pdu create = null;
        for (Pdu p : events) {
            byId.put(p.eventId(), p);
            if ("m.room.create".equals(p.type()) && p.stateKey().orElse("x").isEmpty()) {
                create = p;
            }
        }
        // Kahn's order over the auth edges inside the set: an event is decided once all its auth events are.
        Map<String, Integer> waitingOn = new HashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (Pdu p : byId.values()) {
            int n = 0;
            for (String id : new java.util.LinkedHashSet<>(p.authEvents())) {
                if (byId.containsKey(id)) {
                    n++;
                    dependents.computeIfAbsent(id, k -> new ArrayList<>()).add(p.eventId());
                }
            }
            waitingOn.put(p.eventId(), n);
            if (n == 0) {
                ready.add(p.eventId());
            }
        }
        Map<String, String> failed = new HashMap<>();
        while (!ready.isEmpty()) {
            String id = ready.poll();
            String reason = check(version, byId.get(id), byId, failed, create);
            if (reason != null) {
                failed.put(id, reason);
            }
            for (String dependent : dependents.getOrDefault(id, List.of())) {
                if (waitingOn.merge(dependent, -1, Integer::sum) == 0) {
                    ready.add(dependent);
                }
            }
            waitingOn.remove(id);
        }
        // Never ready: a cycle in auth_events, which valid events cannot form.
        waitingOn.keySet().forEach(id -> failed.put(id, "auth_events form a cycle"));
        return failed;
    }

    private static String check(RoomVersion version, Pdu event, Map<String, Pdu> byId, Map<String, String> failed,
                                Pdu create) {
        List<Pdu> authEvents = new ArrayList<>();
        for (String id : event.authEvents()) {
            Pdu auth = byId.get(id);
            if (auth == null) {
                return "auth event " + id + " missing";
            }
            if (failed.containsKey(id)) {
                return "auth event " + id + " failed";
            }
            authEvents.add(auth);
        }
        if (AuthRules.checkAuthEvents(version, event, authEvents) instanceof AuthResult.Rejected(String reason)) {
            return reason;
        }
        Map<StateKey, Pdu> state = AuthRules.stateOf(authEvents);
        if (version.roomIdFromCreateEvent() && create != null && !event.eventId().equals(create.eventId())) {
            // From v12 the create event is named by the room ID rather than listed.
            state.putIfAbsent(StateKey.of("m.room.create", ""), create);
        }
        if (AuthRules.check(version, event, state) instanceof AuthResult.Rejected(String reason)) {
            return reason;
        }
        return null;
    }
}
