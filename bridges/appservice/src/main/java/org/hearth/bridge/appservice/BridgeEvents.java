package org.hearth.bridge.appservice;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Optional;

/**
 * What a bridge does with what the homeserver pushes to it. A method that throws makes the transaction fail (500),
 * and the homeserver retries the whole transaction later, so handlers must tolerate seeing an event again after a
 * failure; a transaction that succeeded is never handed over twice.
 */
public interface BridgeEvents {
    /** One room event (PDU in client format) of the transaction, in order. */
    void onEvent(JsonObject event);

    /** An ephemeral event (typing, receipts, presence) when the registration asks for them. */
    default void onEphemeral(JsonObject event) {
    }

    /** A to-device message (MSC2409 unstable key). */
    default void onToDevice(JsonObject message) {
    }

    /**
     * Spec "Query User": the homeserver asks whether a user in our namespace exists; a bridge that answers true
     * must have registered the user (for example with {@link Intent#ensureRegistered()}) before it returns.
     */
    default boolean queryUser(String userId) {
        return false;
    }

    /** Spec "Query Room Alias": true once the bridge has created a room with this alias. */
    default boolean queryAlias(String alias) {
        return false;
    }

    /** Spec "Third-party Networks", {@code GET /thirdparty/protocol/{protocol}}: metadata when the bridge serves it. */
    default Optional<JsonObject> thirdPartyProtocol(String protocol) {
        return Optional.empty();
    }

    /** {@code GET /thirdparty/location/{protocol}} with the query's fields: the matching locations (may be empty). */
    default JsonArray thirdPartyLocations(String protocol, Map<String, String> fields) {
        return JsonValue.EMPTY_JSON_ARRAY;
    }

    /** {@code GET /thirdparty/user/{protocol}} with the query's fields: the matching users (may be empty). */
    default JsonArray thirdPartyUsers(String protocol, Map<String, String> fields) {
        return JsonValue.EMPTY_JSON_ARRAY;
    }

    /** {@code GET /thirdparty/location?alias=}: the third-party locations a Matrix room alias stands for (may be empty). */
    default JsonArray thirdPartyLocationsOf(String alias) {
        return JsonValue.EMPTY_JSON_ARRAY;
    }

    /** {@code GET /thirdparty/user?userid=}: the third-party users a Matrix user ID stands for (may be empty). */
    default JsonArray thirdPartyUsersOf(String userId) {
        return JsonValue.EMPTY_JSON_ARRAY;
    }
}
