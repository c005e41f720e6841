package org.hearth.spec.e2ee;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/**
 * The {@code m.direct_to_device} EDU (spec: Server-Server API, "Send-to-device messaging") and its size bound.
 * The spec bounds PDUs at 65536 bytes and puts EDUs in the same transactions; Synapse refuses EDUs over 65536
 * bytes ({@code MAX_EDU_SIZE}). So one to-device message must fit in an EDU of its own, and a send to many devices
 * of a server is split into as many EDUs as it takes.
 */
public final class DirectToDevice {
    public static final int MAX_EDU_BYTES = 65_536;
    public static final String EDU_TYPE = "m.direct_to_device";

    private DirectToDevice() {}

    /**
     * {@code M_TOO_LARGE} (413) when any one message ({@code messages}: user → device ID or {@code *} → content)
     * would not fit in an EDU on its own, whether or not it goes over federation: a message is sendable everywhere
     * or nowhere.
     */
    public static void requireSendable(String sender, String type, Map<String, Map<String, JsonObject>> messages) {
        long base = bytes(edu(sender, type, "x".repeat(32) + ".000", Json.objectBuilder().build()));
        messages.forEach((user, byDevice) -> byDevice.forEach((device, content) -> {
            if (base + userBytes(user) + deviceBytes(device, content) > MAX_EDU_BYTES) {
                throw new MatrixException(ErrorCode.TOO_LARGE,
                        "A to-device message for " + user + " " + device + " is larger than " + MAX_EDU_BYTES + " bytes");
            }
        }));
    }

    /**
     * The EDUs (edu_type and content) carrying {@code messages} for one server, each at most {@link #MAX_EDU_BYTES}:
     * one when it all fits, else split between devices, the parts numbered after {@code messageId} (the receiver
     * de-duplicates by sender and message ID). A single message over the bound (refused by {@link #requireSendable})
     * still travels alone.
     */
    public static List<JsonObject> edus(String sender, String type, String messageId, Map<String, Map<String, JsonObject>> messages) {
        long base = bytes(edu(sender, type, messageId + ".000", Json.objectBuilder().build()));
        List<Map<String, Map<String, JsonObject>>> parts = new ArrayList<>();
        Map<String, Map<String, JsonObject>> current = new LinkedHashMap<>();
        long size = base;
        for (var user : messages.entrySet()) {
            for (var device : user.getValue().entrySet()) {
                long added = (current.containsKey(user.getKey()) ? 0 : userBytes(user.getKey()) + 1)
                        + deviceBytes(device.getKey(), device.getValue()) + 1;
                if (!current.isEmpty() && size + added > MAX_EDU_BYTES) {
                    parts.add(current);
                    current = new LinkedHashMap<>();
                    size = base;
                    added = userBytes(user.getKey()) + 1 + deviceBytes(device.getKey(), device.getValue()) + 1;
                }
                current.computeIfAbsent(user.getKey(), u -> new LinkedHashMap<>()).put(device.getKey(), device.getValue());
                size += added;
            }
        }
        if (!current.isEmpty()) {
            parts.add(current);
        }
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            var users = Json.objectBuilder();
            parts.get(i).forEach((user, byDevice) -> {
                var devices = Json.objectBuilder();
                byDevice.forEach(devices::add);
                users.add(user, devices);
            });
            out.add(edu(sender, type, parts.size() == 1 ? messageId : messageId + "." + i, users.build()));
        }
        return out;
    }

    private static JsonObject edu(String sender, String type, String messageId, JsonObject messages) {
        return Json.objectBuilder().add("edu_type", EDU_TYPE).add("content", Json.objectBuilder()
                .add("sender", sender).add("type", type).add("message_id", messageId).add("messages", messages)).build();
    }

    /** {@code "user":{}} in the EDU's messages. */
    private static long userBytes(String user) {
        return bytes(Json.objectBuilder().add(user, Json.objectBuilder()).build()) - 2;
    }

    /** {@code "device":content} in a user's object. */
    private static long deviceBytes(String device, JsonObject content) {
        return bytes(Json.objectBuilder().add(device, content).build()) - 2;
    }

    static long bytes(JsonObject value) {
        return CanonicalJson.encodeLenientBytes(value).length;
    }
}
