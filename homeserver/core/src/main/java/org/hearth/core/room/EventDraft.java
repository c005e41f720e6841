package org.hearth.core.room;

import jakarta.json.JsonObject;

/**
 * What a client asks to send: the engine adds everything that makes it a PDU.
 *
 * @param stateKey null for a message event
 * @param redacts  the event a redaction redacts (top-level before v11, in content from v11), else null
 */
public record EventDraft(String type, String stateKey, JsonObject content, String redacts) {
    public static EventDraft message(String type, JsonObject content) {
        return new EventDraft(type, null, content, null);
    }

    public static EventDraft state(String type, String stateKey, JsonObject content) {
        return new EventDraft(type, stateKey, content, null);
    }
}
