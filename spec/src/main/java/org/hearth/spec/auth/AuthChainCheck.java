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
        Map<String, String> failed = new HashMap<>();
        Map<String, Boolean> done = new HashMap<>();
        for (Pdu root : events) {
            // Iterative post-order: an event is decided once all its auth events are.
            Deque<Pdu> stack = new ArrayDeque<>();
            stack.push(root);
            while (!stack.isEmpty()) {
                Pdu top = stack.peek();
                if (done.containsKey(top.eventId())) {
                    stack.pop();
                    continue;
                }
                boolean ready = true;
                for (String id : top.authEvents()) {
                    Pdu auth = byId.get(id);
                    if (auth != null && !done.containsKey(id)) {
                        if (stack.contains(auth)) {
                            // A cycle in auth_events cannot come from valid events.
                            failed.put(top.eventId(), "auth_events form a cycle");
                            continue;
                        }
                        stack.push(auth);
                        ready = false;
                    }
                }
                if (!ready) {
                    continue;
                }
                stack.pop();
                done.put(top.eventId(), true);
                if (!failed.containsKey(top.eventId())) {
                    String reason = check(version, top, byId, failed, create);
                    if (reason != null) {
                        failed.put(top.eventId(), reason);
                    }
                }
            }
        }
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
