package org.hearth.spec.stateres;

import jakarta.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.room.RoomVersion;

/** The authorization rules the scenarios run against: the test double always, the real rules once written. */
final class AuthCheckers {
    private AuthCheckers() {}

    static List<AuthCheck> all() {
        List<AuthCheck> out = new ArrayList<>();
        out.add(named(new MiniAuthRules(), "mini"));
        if (realRulesWritten()) {
            out.add(named(AuthCheck.RULES, "AuthRules"));
        }
        return out;
    }

    static boolean realRulesWritten() {
        Pdu create = new Pdu("$c", Json.createObjectBuilder().add("type", "m.room.create").add("state_key", "")
                .add("sender", "@a:x").add("content", Json.createObjectBuilder().add("creator", "@a:x")).build());
        try {
            AuthRules.check(RoomVersion.V10, create, Map.of());
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    private static AuthCheck named(AuthCheck check, String name) {
        return new AuthCheck() {
            @Override
            public org.hearth.spec.auth.AuthResult check(RoomVersion v, Pdu e, Map<org.hearth.spec.event.StateKey, Pdu> s) {
                return check.check(v, e, s);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
