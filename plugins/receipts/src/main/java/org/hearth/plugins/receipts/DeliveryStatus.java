package org.hearth.plugins.receipts;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ReadReceipt;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Where an event of the viewer's stands for each other joined member: {@code sent}, {@code delivered} or
 * {@code read}; the status route and the bot both ask here. Only the event's sender may ask. Delivered shows only
 * when both the viewer and the member send delivery receipts (reciprocal, as WhatsApp does it).
 */
final class DeliveryStatus {
    private final Homeserver homeserver;
    private final DeliveryLedger ledger;

    DeliveryStatus(Homeserver homeserver, DeliveryLedger ledger) {
        this.homeserver = homeserver;
        this.ledger = ledger;
    }

    /** The viewer's own event, or 404 {@code M_NOT_FOUND} (someone else's, or one the plugin never observed). */
    DeliveryLedger.Sent ownEvent(String viewer, String eventId) {
        return ledger.event(eventId).filter(e -> e.sender().equals(viewer)).orElseThrow(() ->
                new MatrixException(ErrorCode.NOT_FOUND, "No event " + eventId + " of yours is known"));
    }

    /** Member to state, in the room's joined-member order. */
    Map<String, String> recipients(DeliveryLedger.Sent sent) {
        boolean showDelivered = ledger.sendsDeliveryReceipts(sent.sender());
        Map<String, ReadReceipt> reads = new HashMap<>();
        for (ReadReceipt receipt : homeserver.readReceipts(sent.roomId())) {
            reads.merge(receipt.user(), receipt, (a, b) -> position(a) >= position(b) ? a : b);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String member : homeserver.joinedMembers(sent.roomId())) {
            if (member.equals(sent.sender())) {
                continue;
            }
            ReadReceipt read = reads.get(member);
            String state;
            if (read != null && (read.eventId().equals(sent.eventId()) || position(read) >= sent.position())) {
                state = "read";
            } else if (showDelivered && ledger.sendsDeliveryReceipts(member)
                    && ledger.deliveredPosition(member) >= sent.position()) {
                state = "delivered";
            } else {
                state = "sent";
            }
            out.put(member, state);
        }
        return out;
    }

    /** The stream position of a read receipt's event, as far as the plugin saw it (-1: before the plugin). */
    private long position(ReadReceipt receipt) {
        return ledger.event(receipt.eventId()).map(DeliveryLedger.Sent::position).orElse(-1L);
    }
}
