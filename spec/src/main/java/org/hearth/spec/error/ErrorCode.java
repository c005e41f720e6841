package org.hearth.spec.error;

/** Matrix error codes with the HTTP status the spec pairs them with; core picks a code, never a status. */
public enum ErrorCode {
    FORBIDDEN(403),
    UNKNOWN_TOKEN(401),
    MISSING_TOKEN(401),
    UNAUTHORIZED(401),
    USER_LOCKED(401),
    USER_DEACTIVATED(403),
    WEAK_PASSWORD(400),
    BAD_JSON(400),
    NOT_JSON(400),
    NOT_FOUND(404),
    LIMIT_EXCEEDED(429),
    UNRECOGNIZED(404),
    UNKNOWN(400),
    USER_IN_USE(400),
    INVALID_USERNAME(400),
    ROOM_IN_USE(400),
    INVALID_ROOM_STATE(400),
    THREEPID_IN_USE(400),
    THREEPID_NOT_FOUND(400),
    SERVER_NOT_TRUSTED(400),
    UNSUPPORTED_ROOM_VERSION(400),
    INCOMPATIBLE_ROOM_VERSION(400),
    BAD_STATE(400),
    DUPLICATE_ANNOTATION(400),
    GUEST_ACCESS_FORBIDDEN(403),
    CAPTCHA_NEEDED(400),
    MISSING_PARAM(400),
    INVALID_PARAM(400),
    TOO_LARGE(413),
    EXCLUSIVE(400),
    RESOURCE_LIMIT_EXCEEDED(403),
    CANNOT_LEAVE_SERVER_NOTICE_ROOM(403),
    UNSUPPORTED(400),
    WRONG_ROOM_KEYS_VERSION(403),
    USER_SUSPENDED(403),
    NOT_YET_UPLOADED(504),
    CANNOT_OVERWRITE_MEDIA(409),
    // Spec "POST /keys/device_signing/upload" and "POST /keys/signatures/upload".
    INVALID_SIGNATURE(400),
    UNKNOWN_DEVICE(400),
    URL_NOT_SET(400),
    BAD_STATUS(502),
    CONNECTION_FAILED(502),
    CONNECTION_TIMEOUT(504),
    // Spec v1.16 "PUT /profile/{userId}/{keyName}".
    PROFILE_TOO_LARGE(400),
    KEY_TOO_LARGE(400);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    public String errcode() {
        return "M_" + name();
    }
}
