package org.hearth.plugins.receipts;

import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.SyncAcknowledgement;
import org.hearth.spec.error.MatrixException;
import org.pf4j.Extension;

/**
 * A device acknowledged a sync answer: the newest pending event of each of the user's rooms that the answer covered
 * gets an {@code org.hearth.delivered} receipt from the user, unless the user turned delivery receipts off.
 */
@Extension
public final class DeliveryAcknowledgements implements SyncAcknowledgement {
    private static final int MAX_ROOMS_PER_ACK = 500;

    private final Homeserver homeserver;
    private final DeliveryLedger ledger;

    public DeliveryAcknowledgements(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.ledger = new DeliveryLedger(homeserver);
    }

    @Override
    public void acknowledged(Acknowledgement acknowledgement) {
        String user = acknowledgement.user();
        if (!ledger.sendsDeliveryReceipts(user)) {
            return;
        }
        ledger.acknowledge(user, acknowledgement.roomsPosition());
        ledger.pendingOf(user, MAX_ROOMS_PER_ACK).forEach((roomId, pending) -> {
            if (pending.getJsonNumber("position").longValue() > acknowledgement.roomsPosition()) {
                return; // arrived after the acknowledged answer: the next acknowledgement covers it
            }
            try {
                homeserver.sendReceipt(roomId, user, DeliveryLedger.RECEIPT_TYPE, pending.getString("event_id"));
            } catch (MatrixException e) {
                // left the room since: nothing to mark
            }
            ledger.delivered(user, roomId, pending);
        });
    }
}
