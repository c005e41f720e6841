package org.hearth.spec.profile;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.CanonicalJson;

/** Spec v1.16 "Profiles": which keys a profile may hold, what their values must be, and the size bound. */
public final class ProfileFields {
    public static final String DISPLAYNAME = "displayname";
    public static final String AVATAR_URL = "avatar_url";
    public static final String TIME_ZONE = "m.tz";
    /** Spec: "the total profile MUST be under 64 KiB". */
    public static final int MAX_PROFILE_BYTES = 64 * 1024;
    /** Spec: M_KEY_TOO_LARGE above 255 bytes. */
    public static final int MAX_KEY_BYTES = 255;

    // The keyName pattern of profile.yaml: the three defined keys or the Common Namespaced Identifier Grammar.
    private static final Pattern KEY = Pattern.compile("avatar_url|displayname|m\\.tz|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    private ProfileFields() {}

    /** {@code M_KEY_TOO_LARGE} over 255 bytes, {@code M_INVALID_PARAM} outside the grammar. */
    public static void checkKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new MatrixException(ErrorCode.KEY_TOO_LARGE, "Profile key is over " + MAX_KEY_BYTES + " bytes");
        }
        if (!KEY.matcher(key).matches()) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid profile key " + key);
        }
    }

    /** Whether the key is stored with the account (and shown in member events) rather than as a custom field. */
    public static boolean isMemberField(String key) {
        return key.equals(DISPLAYNAME) || key.equals(AVATAR_URL);
    }

    /**
     * {@code M_BAD_JSON} when a defined key's value has the wrong type: displayname and m.tz are strings,
     * avatar_url an MXC URI. Null is accepted for the first two (it clears them, as before v1.16); custom keys take
     * any JSON.
     */
    public static void checkValue(String key, JsonValue value) {
        switch (key) {
            case DISPLAYNAME -> requireString(key, value, true);
            case AVATAR_URL -> {
                requireString(key, value, true);
                if (value instanceof JsonString s && !s.getString().isEmpty() && !s.getString().startsWith("mxc://")) {
                    throw new MatrixException(ErrorCode.INVALID_PARAM, "avatar_url must be an mxc:// URI");
                }
            }
            case TIME_ZONE -> requireString(key, value, false);
            default -> { }
        }
    }

    /** {@code M_PROFILE_TOO_LARGE} unless the whole profile, as canonical JSON, is under 64 KiB. */
    public static void checkSize(JsonObject profile) {
        if (CanonicalJson.encodeLenientBytes(profile).length >= MAX_PROFILE_BYTES) {
            throw new MatrixException(ErrorCode.PROFILE_TOO_LARGE, "The profile would be over 64 KiB");
        }
    }

    private static void requireString(String key, JsonValue value, boolean nullable) {
        boolean ok = value.getValueType() == JsonValue.ValueType.STRING
                || (nullable && value.getValueType() == JsonValue.ValueType.NULL);
        if (!ok) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be a string");
        }
    }
}
