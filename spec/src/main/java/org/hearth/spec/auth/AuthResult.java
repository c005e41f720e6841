package org.hearth.spec.auth;

/** The outcome of checking an event against the authorization rules. */
public sealed interface AuthResult {
    record Allowed() implements AuthResult {}

    /** @param reason names the failed rule, for logs and the CLI */
    record Rejected(String reason) implements AuthResult {}

    AuthResult ALLOWED = new Allowed();

    static AuthResult rejected(String reason) {
        return new Rejected(reason);
    }

    default boolean allowed() {
        return this instanceof Allowed;
    }
}
