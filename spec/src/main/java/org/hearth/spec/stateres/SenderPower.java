package org.hearth.spec.stateres;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.room.RoomVersion;

/**
 * A user's power level read from a power levels event and the create event, as state resolution needs it
 * for the reverse topological power ordering. A stop-gap small reading until {@code auth.PowerLevels} lands;
 * the authorization rules themselves stay in {@code AuthRules}.
 */
final class SenderPower {
    /** Room version 12 creators: "infinitely high" (spec v12, "Authorisation rules" note). */
    static final long INFINITE = Long.MAX_VALUE;

    private SenderPower() {}

    /**
     * @param powerLevels the {@code m.room.power_levels} event in force, or null when there is none
     * @param create      the room's {@code m.room.create} event, or null when unknown
     */
    static long of(RoomVersion version, String user, Pdu powerLevels, Pdu create) {
        if (user == null) {
            return 0;
        }
        if (version.privilegedCreators() && create != null && isCreator(user, create)) {
            return INFINITE;
        }
        if (powerLevels == null) {
            // m.room.power_levels schema: with no power levels event the creator has 100, others 0.
            return create != null && user.equals(creator(version, create)) ? 100 : 0;
        }
        JsonObject content = powerLevels.content();
        if (content.get("users") instanceof JsonObject users && users.containsKey(user)) {
            Long level = integer(users.get(user));
            if (level != null) {
                return level;
            }
        }
        Long fallback = integer(content.get("users_default")); // "If users_default is not supplied, it is assumed to be 0"
        return fallback == null ? 0 : fallback;
    }

    private static boolean isCreator(String user, Pdu create) {
        if (user.equals(create.sender())) {
            return true;
        }
        if (create.content().get("additional_creators") instanceof JsonArray extra) {
            for (JsonValue v : extra) {
                if (v instanceof JsonString s && user.equals(s.getString())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String creator(RoomVersion version, Pdu create) {
        // v11 removed content.creator: the sender is the creator (spec: "Room Version 11").
        return version.implicitRoomCreator() ? create.sender() : create.content().getString("creator", null);
    }

    /** A power level value: a JSON integer, or in v1-v9 also a string holding one ("stringy power levels"). */
    private static Long integer(JsonValue v) {
        if (v instanceof JsonNumber n) {
            return n.isIntegral() ? n.longValue() : (long) n.doubleValue();
        }
        if (v instanceof JsonString s) {
            String t = s.getString().strip();
            if (t.startsWith("+")) {
                t = t.substring(1);
            }
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
