package org.hearth.core.room;

import java.util.Optional;
import org.hearth.spec.event.Pdu;

/**
 * An event as persisted: the PDU and what the server knows about it. Only an event that is neither rejected,
 * soft-failed nor an outlier belongs to the room's timeline; an outlier (known for auth and state, not placed in the
 * DAG here) has no state groups.
 */
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
        String txnId,
        boolean outlier,
        String rejectedReason) {

    public StoredEvent(Pdu pdu, String roomId, long streamOrdering, boolean rejected, boolean softFailed,
                       String redactedBecause, long stateGroup, long stateGroupAfter, String txnDeviceId, String txnId) {
        this(pdu, roomId, streamOrdering, rejected, softFailed, redactedBecause, stateGroup, stateGroupAfter,
                txnDeviceId, txnId, false, null);
    }

    /** Whether clients may see it: accepted, not soft-failed, placed in the DAG. */
    public boolean inTimeline() {
        return !rejected && !softFailed && !outlier;
    }

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
                stateGroupAfter, txnDeviceId, txnId, outlier, rejectedReason);
    }
}
