package org.hearth.core.account;

/** Spec "Token-authenticated registration"; the fields of Synapse's admin API. Nullable: no limit. */
public record RegistrationToken(String token, Integer usesAllowed, int pending, int completed, Long expiryTime) {
    public boolean validAt(long now) {
        return (expiryTime == null || expiryTime > now) && (usesAllowed == null || pending + completed < usesAllowed);
    }
}
