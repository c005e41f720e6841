package org.hearth.spec.crypto;

import jakarta.json.JsonObject;

/** Signing and verifying JSON objects (spec: appendices, "Signing JSON"). */
public final class Signatures {
    private Signatures() {}

    /** Returns {@code object} with this server's signature added to {@code signatures}; {@code unsigned} is kept. */
    public static JsonObject sign(JsonObject object, String serverName, SigningKey key) {
        throw new UnsupportedOperationException("not yet written");
    }

    /** Whether {@code object} carries a valid signature by {@code serverName} with key {@code keyId}. */
    public static boolean verify(JsonObject object, String serverName, String keyId, byte[] publicKey) {
        throw new UnsupportedOperationException("not yet written");
    }
}
