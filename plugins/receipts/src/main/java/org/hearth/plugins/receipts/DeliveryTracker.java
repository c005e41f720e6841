package org.hearth.plugins.receipts;

import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.spec.error.MatrixException;
import org.pf4j.Extension;

/**
 * Remembers each message event for its room's other local members (as their newest undelivered event), so that the
 * member's next acknowledged sync can mark it delivered.
 */
@Extension
public final class DeliveryTracker implements EventObserver {
    private final Homeserver homeserver;
    private final DeliveryLedger ledger;

    public DeliveryTracker(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.ledger = new DeliveryLedger(homeserver);
    }

    @Override
    public void observe(ObservedEvent event) {
        if (event.stateKey().isPresent() || event.type().equals("m.room.redaction")) {
            return; // a receipt marks messages, not state changes
        }
        ledger.recordEvent(new DeliveryLedger.Sent(event.eventId(), event.roomId(), event.sender(),
                event.streamPosition()));
        String local = ":" + homeserver.serverName();
        for (String member : homeserver.joinedMembers(event.roomId())) {
            if (!member.equals(event.sender()) && member.endsWith(local)) {
                var pending = ledger.pending(member, event.roomId(), event.eventId(), event.streamPosition());
                // Observers run behind the request that made the event: a device of the member may already have
                // acknowledged a sync past it, and its next acknowledgement can be a long-poll away.
                if (ledger.deliveredPosition(member) >= event.streamPosition() && ledger.sendsDeliveryReceipts(member)) {
                    try {
                        homeserver.sendReceipt(event.roomId(), member, DeliveryLedger.RECEIPT_TYPE, event.eventId());
                    } catch (MatrixException e) {
                        // left the room since: nothing to mark
                    }
                    ledger.delivered(member, event.roomId(), pending);
                }
            }
        }
    }
}
