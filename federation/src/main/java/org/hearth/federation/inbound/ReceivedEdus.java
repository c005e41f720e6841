package org.hearth.federation.inbound;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.sync.PresenceStream;
import org.hearth.core.sync.ToDeviceStream;
import org.hearth.federation.devices.SharingServers;
import org.hearth.spec.id.UserId;

/**
 * Spec: Server-Server "Send-to-device messaging" and "Presence": {@code m.direct_to_device} and {@code m.presence}
 * EDUs from {@code /send}, for local users. Senders must belong to the origin; the rest is dropped.
 */
public final class ReceivedEdus {
    private final String ownName;
    private final ToDeviceStream toDevice;
    private final PresenceStream presence;
    private final SharingServers sharing;

    public ReceivedEdus(String ownName, ToDeviceStream toDevice, PresenceStream presence, SharingServers sharing) {
        this.ownName = ownName;
        this.toDevice = toDevice;
        this.presence = presence;
        this.sharing = sharing;
    }

    /** Delivered to each local device once: the message_id is the sender's transaction ID here. */
    public void directToDevice(String origin, JsonObject content) {
        UserId sender = UserId.parse(content.getString("sender"));
        String type = content.getString("type");
        String messageId = content.getString("message_id");
        if (!sender.domain().equals(origin) || !(content.get("messages") instanceof JsonObject messages)) {
            return;
        }
        Map<UserId, Map<String, JsonObject>> local = new LinkedHashMap<>();
        messages.forEach((userId, byDevice) -> {
            Optional<UserId> user = UserId.tryParse(userId);
            if (user.isEmpty() || !user.get().domain().equals(ownName) || !(byDevice instanceof JsonObject devices)) {
                return;
            }
            Map<String, JsonObject> targets = new LinkedHashMap<>();
            devices.forEach((device, body) -> {
                if (body instanceof JsonObject o) {
                    targets.put(device, o);
                }
            });
            local.put(user.get(), targets);
        });
        if (!local.isEmpty()) {
            toDevice.send(sender, null, type, messageId, local);
        }
    }

    /** Each pushed update of a user of the origin who shares a room with a local user. */
    public void presence(String origin, JsonObject content) {
        if (!(content.get("push") instanceof JsonArray push)) {
            return;
        }
        for (JsonValue v : push) {
            if (!(v instanceof JsonObject update)) {
                continue;
            }
            Optional<UserId> user = UserId.tryParse(update.getString("user_id", ""));
            if (user.isEmpty() || !user.get().domain().equals(origin) || !sharing.local(user.get())) {
                continue;
            }
            long ago = update.containsKey("last_active_ago") ? update.getJsonNumber("last_active_ago").longValue() : 0;
            presence.remote(user.get(), update.getString("presence", ""),
                    update.get("status_msg") instanceof jakarta.json.JsonString s ? Optional.of(s.getString()) : Optional.empty(),
                    ago, update.getBoolean("currently_active", false));
        }
    }
}
