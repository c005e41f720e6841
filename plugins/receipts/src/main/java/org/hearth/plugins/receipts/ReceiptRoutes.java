package org.hearth.plugins.receipts;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.plugin.api.ReadReceipt;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * Served under {@code /_hearth/plugins/receipts/}:
 * <ul>
 *   <li>{@code GET /settings}: the caller's {@code {"delivery_receipts": bool}}</li>
 *   <li>{@code PUT /settings} {@code {"delivery_receipts": bool}}: off stops the caller's delivered receipts, and
 *       (as WhatsApp does) the caller then sees no one's delivered status either</li>
 *   <li>{@code GET /events/{eventId}/status}: for the event's sender only, each other joined member's
 *       {@code sent}, {@code delivered} or {@code read}</li>
 * </ul>
 * Read receipts' privacy is the client's: {@code m.read.private} is never shown to others, so counts as unread here.
 */
@Extension
public final class ReceiptRoutes implements PluginRoutes {
    private final Homeserver homeserver;
    private final DeliveryLedger ledger;

    public ReceiptRoutes(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.ledger = new DeliveryLedger(homeserver);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.get("/settings", this::settings),
                Route.put("/settings", this::changeSettings),
                Route.get("/events/{eventId}/status", this::status));
    }

    private PluginResponse settings(PluginRequest request) {
        return PluginResponse.ok(Json.objectBuilder()
                .add("delivery_receipts", ledger.sendsDeliveryReceipts(request.user())).build());
    }

    private PluginResponse changeSettings(PluginRequest request) {
        JsonObject body = request.body().orElseThrow(() ->
                new MatrixException(ErrorCode.NOT_JSON, "A JSON object is required"));
        for (String key : body.keySet()) {
            if (!key.equals("delivery_receipts")) {
                throw new MatrixException(ErrorCode.BAD_JSON, "Unknown setting " + key);
            }
        }
        JsonValue value = body.get("delivery_receipts");
        if (value == null || (value != JsonValue.TRUE && value != JsonValue.FALSE)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "delivery_receipts must be true or false");
        }
        ledger.setDeliveryReceipts(request.user(), value == JsonValue.TRUE);
        return settings(request);
    }

    private PluginResponse status(PluginRequest request) {
        String eventId = request.pathParam("eventId");
        var sent = ledger.event(eventId).filter(e -> e.sender().equals(request.user())).orElseThrow(() ->
                new MatrixException(ErrorCode.NOT_FOUND, "No event " + eventId + " of yours is known"));
        boolean showDelivered = ledger.sendsDeliveryReceipts(request.user());
        Map<String, ReadReceipt> reads = new HashMap<>();
        for (ReadReceipt receipt : homeserver.readReceipts(sent.roomId())) {
            reads.merge(receipt.user(), receipt, (a, b) -> position(a) >= position(b) ? a : b);
        }
        var recipients = Json.objectBuilder();
        for (String member : homeserver.joinedMembers(sent.roomId())) {
            if (member.equals(sent.sender())) {
                continue;
            }
            ReadReceipt read = reads.get(member);
            String state;
            if (read != null && (read.eventId().equals(eventId) || position(read) >= sent.position())) {
                state = "read";
            } else if (showDelivered && ledger.sendsDeliveryReceipts(member)
                    && ledger.deliveredPosition(member) >= sent.position()) {
                state = "delivered";
            } else {
                state = "sent";
            }
            recipients.add(member, state);
        }
        return PluginResponse.ok(Json.objectBuilder().add("event_id", eventId).add("room_id", sent.roomId())
                .add("recipients", recipients).build());
    }

    /** The stream position of a read receipt's event, as far as the plugin saw it (-1: before the plugin). */
    private long position(ReadReceipt receipt) {
        return ledger.event(receipt.eventId()).map(DeliveryLedger.Sent::position).orElse(-1L);
    }
}
