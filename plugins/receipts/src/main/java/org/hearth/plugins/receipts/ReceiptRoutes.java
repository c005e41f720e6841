package org.hearth.plugins.receipts;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
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
    private final DeliveryLedger ledger;
    private final DeliveryStatus status;

    public ReceiptRoutes(Homeserver homeserver) {
        this.ledger = new DeliveryLedger(homeserver);
        this.status = new DeliveryStatus(homeserver, ledger);
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
        var sent = status.ownEvent(request.user(), request.pathParam("eventId"));
        var recipients = Json.objectBuilder();
        status.recipients(sent).forEach(recipients::add);
        return PluginResponse.ok(Json.objectBuilder().add("event_id", sent.eventId()).add("room_id", sent.roomId())
                .add("recipients", recipients).build());
    }
}
