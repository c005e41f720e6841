package org.hearth.core.account;

import java.util.Locale;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * Which user IDs may be registered (spec: appendices "User Identifiers", and "POST /register"'s
 * {@code M_INVALID_USERNAME} and {@code M_EXCLUSIVE}).
 */
public final class Usernames {
    private Usernames() {}

    /**
     * The user ID for a requested username: lowercased (as Synapse does, so {@code Alice} and {@code alice} are one
     * user), then checked against the current grammar {@code [a-z0-9._=/+-]}, the 255-byte limit of the whole ID,
     * and Hearth's reservations: all-digit localparts (left for guest accounts) and a leading {@code _} (the
     * customary namespace of application services and bridges, answered {@code M_EXCLUSIVE}).
     */
    public static UserId forRegistration(String username, ServerName server) {
        return checked(username, server, false);
    }

    /** As {@link #forRegistration}, for an application service registering in its namespace: {@code _} allowed. */
    public static UserId forAppService(String username, ServerName server) {
        return checked(username, server, true);
    }

    private static UserId checked(String username, ServerName server, boolean appService) {
        String localpart = username.toLowerCase(Locale.ROOT);
        if (localpart.startsWith("@") && localpart.endsWith(":" + server.value().toLowerCase(Locale.ROOT))) {
            // Some clients send the whole ID.
            localpart = localpart.substring(1, localpart.length() - server.value().length() - 1);
        }
        if (!UserId.isValidLocalpartForNewUser(localpart)) {
            throw new MatrixException(ErrorCode.INVALID_USERNAME,
                    "User ID may only contain the characters a-z, 0-9, '.', '_', '=', '-', '/' and '+'");
        }
        if (localpart.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MatrixException(ErrorCode.INVALID_USERNAME, "Numeric user IDs are reserved for guest users");
        }
        if (localpart.startsWith("_") && !appService) {
            throw new MatrixException(ErrorCode.EXCLUSIVE, "User IDs starting with '_' are reserved for application services");
        }
        var id = UserId.tryParse("@" + localpart + ":" + server.value());
        if (id.isEmpty()) {
            throw new MatrixException(ErrorCode.INVALID_USERNAME, "User ID is longer than 255 bytes");
        }
        return id.get();
    }
}
