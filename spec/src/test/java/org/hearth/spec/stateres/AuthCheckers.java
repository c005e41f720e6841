package org.hearth.spec.stateres;

import java.util.List;
import java.util.Map;
import org.hearth.spec.auth.AuthResult;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * The authorization rules the scenarios run against: the real {@code AuthRules}, and a small test double
 * that pins just the rules the scenarios rely on, so a failure tells which side moved.
 */
final class AuthCheckers {
    private AuthCheckers() {}

    static List<AuthCheck> all() {
        return List.of(named(AuthCheck.RULES, "AuthRules"), named(new MiniAuthRules(), "mini"));
    }

    private static AuthCheck named(AuthCheck check, String name) {
        return new AuthCheck() {
            @Override
            public AuthResult check(RoomVersion v, Pdu e, Map<StateKey, Pdu> s) {
                return check.check(v, e, s);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
