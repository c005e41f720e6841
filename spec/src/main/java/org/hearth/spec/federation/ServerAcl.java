package org.hearth.spec.federation;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.push.Glob;

/**
 * A room's {@code m.room.server_acl} content, compiled (spec: event {@code m.room.server_acl}): which servers may
 * take part in the room. Globs match case-insensitively against the server name without its port.
 */
public final class ServerAcl {
    private final boolean allowIpLiterals;
    private final List<Glob> allow;
    private final List<Glob> deny;

    private ServerAcl(boolean allowIpLiterals, List<Glob> allow, List<Glob> deny) {
        this.allowIpLiterals = allowIpLiterals;
        this.allow = allow;
        this.deny = deny;
    }

    /**
     * Reads the event's content. Missing or malformed fields take the spec's defaults: {@code allow_ip_literals}
     * true unless it is the boolean false, {@code allow} and {@code deny} empty; entries that are not strings are
     * skipped, as Synapse skips them.
     */
    public static ServerAcl of(JsonObject content) {
        boolean ipLiterals = content.get("allow_ip_literals") != JsonValue.FALSE;
        return new ServerAcl(ipLiterals, globs(content.get("allow")), globs(content.get("deny")));
    }

    /**
     * Whether {@code serverName} may take part, in the spec's order: IP literals when not allowed, then deny,
     * then allow, else denied. (Step 1, no ACL event at all, is the caller's: no ACL allows everyone.)
     */
    public boolean allows(String serverName) {
        String host = ServerName.tryParse(serverName).map(ServerName::host).orElse(serverName);
        if (!allowIpLiterals && isIpLiteral(host)) {
            return false;
        }
        for (Glob g : deny) {
            if (g.matchesWhole(host)) {
                return false;
            }
        }
        for (Glob g : allow) {
            if (g.matchesWhole(host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpLiteral(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static List<Glob> globs(JsonValue value) {
        List<Glob> out = new ArrayList<>();
        if (value instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (v instanceof JsonString s) {
                    out.add(Glob.of(s.getString()));
                }
            }
        }
        return List.copyOf(out);
    }
}
