package org.hearth.spec.stateres;

import java.util.Map;
import org.hearth.spec.auth.AuthResult;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** The authorization rules as state resolution calls them; a seam so tests can pin the rules they rely on. */
@FunctionalInterface
interface AuthCheck {
    AuthCheck RULES = AuthRules::check;

    AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> authState);
}
