package org.hearth.federation.send;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.Map;
import java.util.TreeMap;
import org.hearth.core.port.EphemeralEvents;
import org.hearth.federation.devices.EduSink;
import org.hearth.federation.devices.SharingServers;
import org.hearth.spec.e2ee.DirectToDevice;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Local users' presence and to-device messages for remote users, on their way out as EDUs (spec: Server-Server
 * "Presence", "Send-to-device messaging"). Presence goes only to servers sharing a room with the user, and only
 * when the presence stream wakes others (a state or status change, not a last-active refresh).
 */
public final class EphemeralEdus implements EphemeralEvents {
    private final String ownName;
    private final SharingServers sharing;
    private final EduSink sink;

    public EphemeralEdus(String ownName, SharingServers sharing, EduSink sink) {
        this.ownName = ownName;
        this.sharing = sharing;
        this.sink = sink;
    }

    @Override
    public void presence(UserId user, JsonObject event) {
        if (!user.domain().equals(ownName)) {
            return;
        }
        JsonObject content = event.getJsonObject("content");
        JsonObjectBuilder update = Json.objectBuilder().add("user_id", user.value())
                .add("presence", content.getString("presence"))
                .add("last_active_ago", content.containsKey("last_active_ago")
                        ? content.getJsonNumber("last_active_ago").longValue() : 0)
                .add("currently_active", content.getBoolean("currently_active", false));
        if (content.get("status_msg") instanceof jakarta.json.JsonString msg) {
            update.add("status_msg", msg.getString());
        }
        JsonObject edu = Json.objectBuilder().add("edu_type", "m.presence")
                .add("content", Json.objectBuilder().add("push", Json.arrayBuilder().add(update))).build();
        for (String server : sharing.of(user)) {
            sink.send(server, edu);
        }
    }

    @Override
    public void remoteToDevice(UserId sender, String type, String messageId, Map<UserId, Map<String, JsonObject>> messages) {
        Map<String, Map<String, Map<String, JsonObject>>> byServer = new TreeMap<>();
        messages.forEach((user, byDevice) ->
                byServer.computeIfAbsent(user.domain(), s -> new java.util.LinkedHashMap<>()).put(user.value(), byDevice));
        byServer.forEach((server, users) -> DirectToDevice.edus(sender.value(), type, messageId, users)
                .forEach(edu -> sink.send(server, edu)));
    }
}
