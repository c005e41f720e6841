package org.hearth.core.appservice;

import java.util.List;
import java.util.regex.Pattern;
import org.hearth.spec.id.UserId;

/**
 * One application service, as its registration file describes it (spec: Application Service API, "Registration").
 *
 * @param url             where transactions and queries go; null for an appservice that only uses the C-S API
 * @param receiveEphemeral {@code receive_ephemeral} or the MSC2409 {@code push_ephemeral} flag
 * @param msc4190         device management by the appservice (MSC4190): devices are created with PUT /devices
 */
public record AppService(String id, String url, String asToken, String hsToken, UserId sender,
                         List<Namespace> users, List<Namespace> aliases, List<Namespace> rooms,
                         boolean rateLimited, List<String> protocols, boolean receiveEphemeral, boolean msc3202,
                         boolean msc4190) {

    /** A namespace entry: a regex matched against whole IDs, and whether others are kept out of it. */
    public record Namespace(Pattern regex, boolean exclusive) {
        public boolean matches(String id) {
            return regex.matcher(id).matches();
        }
    }

    /** The sender itself or a user in a users namespace: who this appservice may act as. */
    public boolean isInterestedInUser(String userId) {
        return sender.value().equals(userId) || matchesAny(users, userId);
    }

    public boolean isInterestedInAlias(String alias) {
        return matchesAny(aliases, alias);
    }

    public boolean isInterestedInRoom(String roomId) {
        return matchesAny(rooms, roomId);
    }

    public boolean ownsUserExclusively(String userId) {
        return users.stream().anyMatch(n -> n.exclusive() && n.matches(userId));
    }

    public boolean ownsAliasExclusively(String alias) {
        return aliases.stream().anyMatch(n -> n.exclusive() && n.matches(alias));
    }

    private static boolean matchesAny(List<Namespace> namespaces, String id) {
        return namespaces.stream().anyMatch(n -> n.matches(id));
    }
}
