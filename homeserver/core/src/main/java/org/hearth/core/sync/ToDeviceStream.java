package org.hearth.core.sync;

import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.storage.Database;
import org.hearth.spec.e2ee.DirectToDevice;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Send-to-device messaging (spec: "Send-to-Device messaging"): stored per target device until a later sync's
 * {@code since} shows the device received them. Messages to remote users go to the listener, for federation.
 */
public final class ToDeviceStream {
    /** Per sync, as Synapse: a device with more waiting gets the rest on its next sync. */
    static final int BATCH = 100;

    private final Database database;
    private final Notifier notifier;
    private final DeviceDirectory devices;
    private final ServerName localServer;
    private final Clock clock;

    /** Device (user, newline, device ID) → position of the last message given it and not yet acknowledged. */
    private final Map<String, Long> awaitingAck = new java.util.concurrent.ConcurrentHashMap<>();

    volatile org.hearth.core.port.EphemeralEvents listener = org.hearth.core.port.EphemeralEvents.NONE;

    public ToDeviceStream(Database database, Notifier notifier, DeviceDirectory devices, ServerName localServer, Clock clock) {
        this.database = database;
        this.notifier = notifier;
        this.devices = devices;
        this.localServer = localServer;
        this.clock = clock;
    }

    /** Spec "PUT /sendToDevice/{eventType}/{txnId}"; {@code messages}: user → device ID or {@code *} → content. */
    public void send(UserId sender, String senderDevice, String type, String txnId, Map<UserId, Map<String, JsonObject>> messages) {
        Map<String, Map<String, JsonObject>> byUserId = new LinkedHashMap<>();
        messages.forEach((user, byDevice) -> byUserId.put(user.value(), byDevice));
        DirectToDevice.requireSendable(sender.value(), type, byUserId);
        Map<UserId, Map<String, JsonObject>> local = new LinkedHashMap<>();
        Map<UserId, Map<String, JsonObject>> remote = new LinkedHashMap<>();
        messages.forEach((user, byDevice) -> {
            if (!user.serverName().equals(localServer)) {
                remote.put(user, byDevice);
                return;
            }
            Map<String, JsonObject> targets = new LinkedHashMap<>();
            byDevice.forEach((device, content) -> {
                if (device.equals("*")) {
                    devices.devices(user).forEach(d -> targets.put(d, content));
                } else {
                    targets.put(device, content);
                }
            });
            local.put(user, targets);
        });
        boolean stored = database.transaction(tx -> {
            long fresh = tx.createNamedInsert("streams-to-device-txn").addParam("sender", sender.value())
                    .addParam("sender_device", senderDevice == null ? "" : senderDevice).addParam("txn_id", txnId)
                    .addParam("ts", clock.millis()).execute();
            if (fresh == 0) {
                return false; // a retry of a request already delivered
            }
            long position = StreamPositions.advance(database, tx, StreamPositions.TO_DEVICE);
            local.forEach((user, targets) -> targets.forEach((device, content) ->
                    tx.createNamedInsert("streams-to-device-put")
                            .addParam("user_id", user.value()).addParam("device_id", device).addParam("stream_id", position)
                            .addParam("sender", sender.value()).addParam("type", type)
                            .addParam("content", content.toString()).execute()));
            return true;
        });
        if (stored) {
            notifier.notifyUsers(local.keySet());
            local.forEach((user, targets) -> targets.forEach((device, content) -> listener.toDevice(user,
                    Json.objectBuilder().add("type", type).add("sender", sender.value()).add("to_user_id", user.value())
                            .add("to_device_id", device).add("content", content).build())));
            if (!remote.isEmpty()) {
                // A fresh ID per request: the txn row above already keeps a retry from being sent twice.
                String messageId = java.util.UUID.randomUUID().toString().replace("-", "");
                listener.remoteToDevice(sender, type, messageId, remote);
            }
        }
    }

    /** Messages for one device in (from, to], at most {@link #BATCH}; {@code upTo} is the last one's position. */
    record Batch(List<JsonObject> events, long upTo) {}

    /**
     * Deletes what a sync's {@code since} acknowledges for a device that was given messages. Called on every sync,
     * also when nothing new arrived (an acknowledging since usually equals the stream's end), so it costs a map
     * look-up unless a delivery is waiting for its acknowledgement. After a restart the map is empty: what was
     * delivered and not yet acknowledged is then deleted by {@link #messages} when the next message comes.
     */
    void acknowledge(UserId user, String device, long since) {
        if (device == null || since <= 0) {
            return;
        }
        String key = user.value() + "\n" + device;
        Long delivered = awaitingAck.get(key);
        if (delivered == null) {
            return;
        }
        delete(user, device, since);
        if (since >= delivered) {
            awaitingAck.remove(key, delivered);
        }
    }

    private void delete(UserId user, String device, long upTo) {
        database.execute().createNamedDelete("streams-to-device-ack")
                .addParam("user_id", user.value()).addParam("device_id", device).addParam("upto", upTo).execute();
    }

    /** Deletes what {@code from} acknowledges, then reads the next batch. */
    Batch messages(UserId user, String device, long from, long to) {
        if (device == null) {
            return new Batch(List.of(), to);
        }
        if (from > 0) {
            delete(user, device, from);
        }
        List<JsonObject> events = new ArrayList<>();
        long[] last = {to};
        database.execute().createNamedQuery("streams-to-device-since")
                .addParam("user_id", user.value()).addParam("device_id", device)
                .addParam("from", from).addParam("to", to).execute()
                .forEach(row -> {
                    events.add(Json.objectBuilder().add("type", row.column("type").get(String.class))
                            .add("sender", row.column("sender").get(String.class))
                            .add("content", Json.parseObject(row.column("content").get(String.class))).build());
                    last[0] = StreamPositions.longColumn(row, "stream_id");
                });
        if (!events.isEmpty()) {
            awaitingAck.merge(user.value() + "\n" + device, last[0], Math::max);
        }
        return new Batch(events, events.size() == BATCH ? last[0] : to);
    }
}
