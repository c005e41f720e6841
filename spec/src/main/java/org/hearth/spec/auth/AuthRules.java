package org.hearth.spec.auth;

import java.util.Map;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** The authorization rules of every room version (spec: "Authorization rules" in each room version). */
public final class AuthRules {
    private AuthRules() {}

    /**
     * Checks {@code event} against {@code authState}: the state the rules consult (the event's auth events,
     * or the state before it). From room version 12 on, the caller includes the create event in
     * {@code authState} even though it is not among the event's auth events.
     */
    public static AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> authState) {
        throw new UnsupportedOperationException("not yet written");
    }
}
