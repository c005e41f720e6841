package org.hearth.spec.room;

/** How a room version forms event IDs (spec: "Event IDs" in each room version). */
public enum EventIdFormat {
    /** v1, v2: chosen by the origin server as {@code $opaque:server}, carried in the event's {@code event_id}. */
    SERVER_CHOSEN,
    /** v3: {@code $} + reference hash in standard unpadded base64. */
    STANDARD_BASE64_HASH,
    /** v4 and later: {@code $} + reference hash in URL-safe unpadded base64. */
    URL_SAFE_BASE64_HASH
}
