package org.hearth.core.account;

import org.hearth.spec.id.UserId;

/**
 * A new login (spec: the answer of {@code /login} and {@code /register}); {@code accessToken} is null when login
 * was inhibited, {@code refreshToken} and {@code expiresInMs} null unless the client asked for refresh tokens.
 */
public record LoginResult(UserId userId, String deviceId, String accessToken, String refreshToken, Long expiresInMs) {}
