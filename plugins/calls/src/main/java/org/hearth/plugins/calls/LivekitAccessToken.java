package org.hearth.plugins.calls;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hearth.spec.json.Json;

/**
 * A LiveKit access token: a JWT signed HS256 with the LiveKit API secret, {@code iss} the API key, {@code sub} the
 * participant identity and a {@code video} grant to join one room, publish and subscribe; what LiveKit's own SDKs
 * mint. Signed here with {@code javax.crypto} (twenty lines): a JWT library would have to be shaded into the plugin
 * jar, and none is in the offline Maven repository.
 *
 * <p>The LiveKit room and identity names follow element-hq/lk-jwt-service, so a call's participants meet in the same
 * LiveKit room whichever service minted their tokens: the room is unpadded base64 of SHA-256 of the JSON array
 * {@code [matrixRoomId, slotId]} (the legacy {@code /sfu/get} uses slot {@code m.call#ROOM}); the identity is
 * {@code userId:deviceId} for {@code /sfu/get} and unpadded base64 of SHA-256 of {@code [userId, deviceId, memberId]}
 * for {@code /get_token}.
 */
record LivekitAccessToken(String apiKey, String room, String identity, String name, long notBeforeSeconds,
                          long expiresSeconds) {
    static final String LEGACY_SLOT = "m.call#ROOM";

    static String roomAlias(String matrixRoomId, String slotId) {
        return hashOf(List.of(matrixRoomId, slotId));
    }

    static String identity(String userId, String deviceId, String memberId) {
        return hashOf(List.of(userId, deviceId, memberId));
    }

    private static String hashOf(List<String> parts) {
        var array = Json.arrayBuilder();
        parts.forEach(array::add);
        byte[] json = array.build().toString().getBytes(StandardCharsets.UTF_8);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(json);
            return Base64.getEncoder().withoutPadding().encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    JsonObject claims() {
        return Json.objectBuilder()
                .add("iss", apiKey)
                .add("sub", identity)
                .add("name", name)
                .add("nbf", notBeforeSeconds)
                .add("exp", expiresSeconds)
                .add("video", Json.objectBuilder().add("room", room).add("roomJoin", true).add("roomCreate", false)
                        .add("canPublish", true).add("canSubscribe", true))
                .build();
    }

    /** The compact JWS: base64url(header).base64url(claims).base64url(HMAC-SHA256). */
    String sign(String apiSecret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims().toString().getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + payload;
        return signingInput + "." + b64.encodeToString(hmac(apiSecret, signingInput));
    }

    static byte[] hmac(String secret, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
