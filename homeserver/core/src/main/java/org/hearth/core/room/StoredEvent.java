package org.hearth.core.room;

import java.util.Optional;
import org.hearth.spec.event.Pdu;

/** An event as persisted: the PDU and what the server knows about it. */
public record StoredEvent(
        Pdu pdu,
        String roomId,
        long streamOrdering,
        boolean rejected,
        boolean softFailed,
        String redactedBecause,
        long stateGroup,
        long stateGroupAfter,
        String txnDeviceId,
        String txnId) {

    public String eventId() {
        return pdu.eventId();
    }

    public String type() {
        return pdu.type();
    }

    public String sender() {
        return pdu.sender();
    }

    public Optional<String> stateKey() {
        return pdu.stateKey();
    }

    public boolean isRedacted() {
        return redactedBecause != null;
    }

    StoredEvent withRedactedBecause(String redactionId) {
        return new StoredEvent(pdu, roomId, streamOrdering, rejected, softFailed, redactionId, stateGroup,
                stateGroupAfter, txnDeviceId, txnId);
    }
}
