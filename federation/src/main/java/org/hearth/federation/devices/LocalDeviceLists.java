package org.hearth.federation.devices;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.core.keys.KeysHandler;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.port.KeyChanges;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.Rows;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/**
 * Local users' device lists as other servers see them (spec: Server-Server "Device Management"): each change of a
 * device (added, deleted, renamed, keys or signatures uploaded) becomes one {@code m.device_list_update} with the
 * next {@code stream_id} of the user and the previous one as {@code prev_id}; a changed master or self-signing key
 * an {@code m.signing_key_update}. What was last announced is stored, so a change is found by comparing, and
 * {@code /user/devices} answers with the stream ID its list matches. EDUs go to every server sharing a room.
 */
public final class LocalDeviceLists implements DeviceChanges, KeyChanges, AutoCloseable {
    private static final Logger LOG = System.getLogger(LocalDeviceLists.class.getName());

    private final String ownName;
    private final Database database;
    private final KeysHandler keys;
    private final SharingServers sharing;
    private final EduSink sink;
    private final ReentrantLock[] locks = new ReentrantLock[64];
    // Announcing reads keys and rooms: off the request's thread, which only committed the change.
    private final ExecutorService announcing = Executors.newVirtualThreadPerTaskExecutor();

    public LocalDeviceLists(String ownName, Database database, KeysHandler keys, SharingServers sharing, EduSink sink) {
        this.ownName = ownName;
        this.database = database;
        this.keys = keys;
        this.sharing = sharing;
        this.sink = sink;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The device list matching {@code streamId}, as {@code GET /user/devices} answers it. */
    public record Announced(long streamId, KeysHandler.DeviceList list) {}

    @Override
    public void devicesChanged(UserId user) {
        later(user);
    }

    @Override
    public void keysChanged(UserId user) {
        later(user);
    }

    @Override
    public void signaturesChanged(UserId signer, Set<UserId> targets) {
        // Signatures by a user-signing key are for their signer only: nothing to tell other servers.
    }

    private void later(UserId user) {
        if (!user.domain().equals(ownName)) {
            return;
        }
        try {
            announcing.execute(() -> {
                try {
                    announce(user);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "device list update of " + user.value() + " not announced", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // shutting down: the next change or /user/devices request announces it
        }
    }

    /**
     * Compares the user's devices and cross-signing keys with what was last announced, records and sends the
     * differences, and answers the current list with its stream ID.
     */
    public Announced announce(UserId user) {
        ReentrantLock lock = locks[Math.floorMod(user.value().hashCode(), locks.length)];
        lock.lock();
        try {
            KeysHandler.DeviceList list = keys.deviceList(user);
            Map<String, String> digests = new HashMap<>();
            for (var device : list.devices()) {
                digests.put(device.deviceId(), digest(deviceJson(device)));
            }
            JsonObjectBuilder crossSigning = Json.objectBuilder();
            list.master().ifPresent(k -> crossSigning.add("master_key", k));
            list.selfSigning().ifPresent(k -> crossSigning.add("self_signing_key", k));
            JsonObject crossSigningKeys = crossSigning.build();
            String crossSigningDigest = crossSigningKeys.isEmpty() ? "" : digest(crossSigningKeys);
            List<JsonObject> edus = new ArrayList<>();
            long streamId = database.transaction(tx -> {
                var row = tx.createNamedGet("devicelists-outbound-get").addParam("user_id", user.value()).execute();
                long last = row.map(r -> Rows.lng(r, "stream_id")).orElse(0L);
                String lastCrossSigning = row.map(r -> Rows.str(r, "cross_signing_digest")).orElse("");
                Map<String, String> announced = new HashMap<>();
                tx.createNamedQuery("devicelists-outbound-devices").addParam("user_id", user.value()).execute()
                        .forEach(r -> announced.put(Rows.str(r, "device_id"), Rows.str(r, "digest")));
                long next = last;
                for (var device : list.devices()) {
                    String d = digests.get(device.deviceId());
                    if (d.equals(announced.remove(device.deviceId()))) {
                        continue;
                    }
                    next++;
                    edus.add(update(user, device.deviceId(), next, next - 1, deviceJson(device), false));
                    tx.createNamedInsert("devicelists-outbound-device-put").addParam("user_id", user.value())
                            .addParam("device_id", device.deviceId()).addParam("digest", d).execute();
                }
                for (String deleted : announced.keySet()) {
                    next++;
                    edus.add(update(user, deleted, next, next - 1, JsonObject.EMPTY_JSON_OBJECT, true));
                    tx.createNamedDelete("devicelists-outbound-device-delete").addParam("user_id", user.value())
                            .addParam("device_id", deleted).execute();
                }
                boolean crossSigningChanged = !crossSigningDigest.equals(lastCrossSigning);
                if (crossSigningChanged && !crossSigningKeys.isEmpty()) {
                    edus.add(Json.objectBuilder().add("edu_type", "m.signing_key_update").add("content",
                            Json.objectBuilder(crossSigningKeys).add("user_id", user.value())).build());
                }
                if (next != last || crossSigningChanged || row.isEmpty()) {
                    tx.createNamedInsert("devicelists-outbound-put").addParam("user_id", user.value())
                            .addParam("stream_id", next).addParam("digest", crossSigningDigest).execute();
                }
                return next;
            });
            if (!edus.isEmpty()) {
                for (String server : sharing.of(user)) {
                    edus.forEach(edu -> sink.send(server, edu));
                }
            }
            return new Announced(streamId, list);
        } finally {
            lock.unlock();
        }
    }

    /** A device as {@code /user/devices} and the EDU carry it, without {@code device_id}. */
    private static JsonObject deviceJson(KeysHandler.FederatedDevice device) {
        JsonObjectBuilder b = Json.objectBuilder();
        if (device.keys() != null) {
            b.add("keys", device.keys());
        }
        if (device.displayName() != null) {
            b.add("device_display_name", device.displayName());
        }
        return b.build();
    }

    private static JsonObject update(UserId user, String deviceId, long streamId, long prevId, JsonObject device,
                                     boolean deleted) {
        JsonObjectBuilder content = Json.objectBuilder(device).add("user_id", user.value()).add("device_id", deviceId)
                .add("stream_id", streamId)
                .add("prev_id", prevId > 0 ? Json.arrayBuilder().add(prevId) : Json.arrayBuilder());
        if (deleted) {
            content.add("deleted", true);
        }
        return Json.objectBuilder().add("edu_type", "m.device_list_update").add("content", content).build();
    }

    private static String digest(JsonObject json) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(CanonicalJson.encode(json).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        announcing.shutdown();
    }
}
