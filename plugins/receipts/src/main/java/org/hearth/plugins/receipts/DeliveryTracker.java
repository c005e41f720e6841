package org.hearth.plugins.receipts;

import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
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
                ledger.pending(member, event.roomId(), event.eventId(), event.streamPosition());
            }
        }
    }
}
