package org.hearth.core.room;

import jakarta.json.JsonObject;

/**
 * What a client asks to send: the engine adds everything that makes it a PDU.
 *
 * @param stateKey null for a message event
 * @param redacts  the event a redaction redacts (top-level before v11, in content from v11), else null
 * @param originServerTs the timestamp an application service asked for ({@code ts}), else null for "now"
 */
public record EventDraft(String type, String stateKey, JsonObject content, String redacts, Long originServerTs) {
    public EventDraft(String type, String stateKey, JsonObject content, String redacts) {
        this(type, stateKey, content, redacts, null);
    }

    public EventDraft withOriginServerTs(Long ts) {
        return new EventDraft(type, stateKey, content, redacts, ts);
    }

    public static EventDraft message(String type, JsonObject content) {
        return new EventDraft(type, null, content, null);
    }

    public static EventDraft state(String type, String stateKey, JsonObject content) {
        return new EventDraft(type, stateKey, content, null);
    }
}
