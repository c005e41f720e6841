package org.hearth.federation.devices;

import io.helidon.dbclient.DbRow;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.port.RemoteKeys;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.Rows;
import org.hearth.federation.client.FederationClient;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/**
 * Remote users' keys (spec: Server-Server "End-to-End Encryption", "Device Management"). The device lists of users
 * sharing a room with a local user are cached from {@code /user/devices} and kept current by
 * {@code m.device_list_update} EDUs whose {@code prev_id} is the update we have, and by
 * {@code m.signing_key_update}; an update after a gap drops the cached list, so the next query resyncs it. Other
 * users' keys are asked for each time ({@code /user/keys/query}). One-time keys are always claimed remotely.
 * Each update marks the user changed in the local device-list stream, so local clients refetch.
 */
public final class RemoteDeviceLists implements RemoteKeys {
    private static final Logger LOG = System.getLogger(RemoteDeviceLists.class.getName());

    private final Database database;
    private final FederationClient client;
    private final SharingServers sharing;
    private final DeviceChanges localStream;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[64];

    public RemoteDeviceLists(Database database, FederationClient client, SharingServers sharing,
                             DeviceChanges localStream, Clock clock) {
        this.database = database;
        this.client = client;
        this.sharing = sharing;
        this.localStream = localStream;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** A cached list: device ID → {keys, device_display_name}, and the cross-signing keys. */
    record Cached(long streamId, JsonObject devices, JsonObject master, JsonObject selfSigning) {}

    @Override
    public JsonObject query(ServerName server, Map<UserId, List<String>> deviceKeys, long timeoutMs) {
        JsonObjectBuilder devices = Json.objectBuilder();
        JsonObjectBuilder masters = Json.objectBuilder();
        JsonObjectBuilder selfSigning = Json.objectBuilder();
        Map<String, List<String>> direct = new LinkedHashMap<>();
        deviceKeys.forEach((user, wanted) -> {
            if (!sharing.local(user)) {
                // Nobody here shares a room with them: no EDUs would keep a cached list current.
                forget(user);
                direct.put(user.value(), wanted);
                return;
            }
            Cached cached = cachedOrResync(user);
            JsonObjectBuilder byDevice = Json.objectBuilder();
            cached.devices().forEach((deviceId, value) -> {
                if ((wanted.isEmpty() || wanted.contains(deviceId)) && value instanceof JsonObject device
                        && device.get("keys") instanceof JsonObject keys) {
                    JsonObjectBuilder unsigned = keys.get("unsigned") instanceof JsonObject u
                            ? Json.objectBuilder(u) : Json.objectBuilder();
                    if (device.get("device_display_name") instanceof jakarta.json.JsonString name) {
                        unsigned.add("device_display_name", name.getString());
                    }
                    byDevice.add(deviceId, Json.objectBuilder(keys).add("unsigned", unsigned));
                }
            });
            devices.add(user.value(), byDevice);
            if (cached.master() != null) {
                masters.add(user.value(), cached.master());
            }
            if (cached.selfSigning() != null) {
                selfSigning.add(user.value(), cached.selfSigning());
            }
        });
        JsonObject answer = Json.objectBuilder().add("device_keys", devices).add("master_keys", masters)
                .add("self_signing_keys", selfSigning).build();
        if (direct.isEmpty()) {
            return answer;
        }
        JsonObjectBuilder request = Json.objectBuilder();
        direct.forEach((user, wanted) -> request.add(user, jakarta.json.Json.createArrayBuilder(wanted)));
        JsonObject remote = ask(() -> client.post(server.value(), "/_matrix/federation/v1/user/keys/query",
                Json.objectBuilder().add("device_keys", request).build()));
        return Json.objectBuilder()
                .add("device_keys", merged(answer.getJsonObject("device_keys"), remote.get("device_keys")))
                .add("master_keys", merged(answer.getJsonObject("master_keys"), remote.get("master_keys")))
                .add("self_signing_keys", merged(answer.getJsonObject("self_signing_keys"), remote.get("self_signing_keys")))
                .build();
    }

    private static JsonObject merged(JsonObject ours, JsonValue theirs) {
        JsonObjectBuilder out = Json.objectBuilder(ours);
        if (theirs instanceof JsonObject o) {
            o.forEach(out::add);
        }
        return out.build();
    }

    @Override
    public JsonObject claim(ServerName server, Map<UserId, Map<String, String>> oneTimeKeys, long timeoutMs) {
        JsonObjectBuilder request = Json.objectBuilder();
        oneTimeKeys.forEach((user, byDevice) -> {
            JsonObjectBuilder devices = Json.objectBuilder();
            byDevice.forEach(devices::add);
            request.add(user.value(), devices);
        });
        return ask(() -> client.post(server.value(), "/_matrix/federation/v1/user/keys/claim",
                Json.objectBuilder().add("one_time_keys", request).build()));
    }

    private static JsonObject ask(java.util.function.Supplier<JsonObject> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw new Unreachable(e.getMessage());
        }
    }

    /** Spec: "m.device_list_update": applied on top of the cached list when it follows it, else the list is dropped. */
    public void deviceListUpdate(String origin, JsonObject content) {
        UserId user = UserId.parse(content.getString("user_id"));
        String deviceId = content.getString("device_id");
        long streamId = content.getJsonNumber("stream_id").longValueExact();
        if (!user.domain().equals(origin)) {
            return;
        }
        List<Long> prev = content.get("prev_id") instanceof JsonArray a
                ? a.getValuesAs(JsonNumber.class).stream().map(JsonNumber::longValue).toList() : List.of();
        withLock(user, () -> {
            Optional<Cached> cached = load(user);
            if (cached.isEmpty() || streamId <= cached.get().streamId()) {
                return; // not tracked here, or already applied
            }
            long have = cached.get().streamId();
            if (prev.isEmpty() || prev.stream().anyMatch(p -> p > have) || !prev.contains(have)) {
                // A gap: some update never reached us. Drop the list; the next query fetches it whole.
                forget(user);
                return;
            }
            JsonObjectBuilder devices = Json.objectBuilder(cached.get().devices());
            if (content.getBoolean("deleted", false)) {
                devices.remove(deviceId);
            } else {
                JsonObjectBuilder device = Json.objectBuilder();
                if (content.get("keys") instanceof JsonObject keys) {
                    device.add("keys", keys);
                }
                if (content.get("device_display_name") instanceof jakarta.json.JsonString name) {
                    device.add("device_display_name", name.getString());
                }
                devices.add(deviceId, device);
            }
            store(user, new Cached(streamId, devices.build(), cached.get().master(), cached.get().selfSigning()));
        });
        localStream.devicesChanged(user);
    }

    /** Spec: "m.signing_key_update": the user's new master and/or self-signing key. */
    public void signingKeyUpdate(String origin, JsonObject content) {
        UserId user = UserId.parse(content.getString("user_id"));
        if (!user.domain().equals(origin)) {
            return;
        }
        JsonObject master = content.get("master_key") instanceof JsonObject m ? m : null;
        JsonObject selfSigning = content.get("self_signing_key") instanceof JsonObject s ? s : null;
        withLock(user, () -> load(user).ifPresent(cached -> store(user, new Cached(cached.streamId(),
                cached.devices(), master != null ? master : cached.master(),
                selfSigning != null ? selfSigning : cached.selfSigning()))));
        localStream.devicesChanged(user);
    }

    private Cached cachedOrResync(UserId user) {
        return withLock(user, () -> load(user).orElseGet(() -> {
            JsonObject answer = ask(() -> client.get(user.domain(), "/_matrix/federation/v1/user/devices/"
                    + URLEncoder.encode(user.value(), StandardCharsets.UTF_8).replace("+", "%20")));
            JsonObjectBuilder devices = Json.objectBuilder();
            if (answer.get("devices") instanceof JsonArray list) {
                for (JsonValue v : list) {
                    if (v instanceof JsonObject d && d.get("device_id") instanceof jakarta.json.JsonString id) {
                        JsonObjectBuilder device = Json.objectBuilder();
                        if (d.get("keys") instanceof JsonObject keys) {
                            device.add("keys", keys);
                        }
                        if (d.get("device_display_name") instanceof jakarta.json.JsonString name) {
                            device.add("device_display_name", name.getString());
                        }
                        devices.add(id.getString(), device);
                    }
                }
            }
            long streamId = answer.get("stream_id") instanceof JsonNumber n ? n.longValue() : 0;
            Cached fresh = new Cached(streamId, devices.build(),
                    answer.get("master_key") instanceof JsonObject m ? m : null,
                    answer.get("self_signing_key") instanceof JsonObject s ? s : null);
            store(user, fresh);
            return fresh;
        }));
    }

    private <T> T withLock(UserId user, java.util.function.Supplier<T> work) {
        ReentrantLock lock = locks[Math.floorMod(user.value().hashCode(), locks.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    private void withLock(UserId user, Runnable work) {
        withLock(user, () -> {
            work.run();
            return null;
        });
    }

    private Optional<Cached> load(UserId user) {
        return database.execute().createNamedGet("devicelists-remote-get").addParam("user_id", user.value()).execute()
                .map(RemoteDeviceLists::cached);
    }

    private static Cached cached(DbRow row) {
        String master = Rows.str(row, "master_key");
        String selfSigning = Rows.str(row, "self_signing_key");
        return new Cached(Rows.lng(row, "stream_id"), Json.parseObject(Rows.str(row, "devices")),
                master == null ? null : Json.parseObject(master), selfSigning == null ? null : Json.parseObject(selfSigning));
    }

    private void store(UserId user, Cached cached) {
        database.execute().createNamedInsert("devicelists-remote-put").addParam("user_id", user.value())
                .addParam("stream_id", cached.streamId()).addParam("devices", CanonicalJson.encode(cached.devices()))
                .addParam("master_key", cached.master() == null ? null : CanonicalJson.encode(cached.master()))
                .addParam("self_signing_key", cached.selfSigning() == null ? null : CanonicalJson.encode(cached.selfSigning()))
                .addParam("ts", clock.millis()).execute();
    }

    private void forget(UserId user) {
        try {
            database.execute().createNamedDelete("devicelists-remote-delete").addParam("user_id", user.value()).execute();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cached device list of " + user.value() + " not dropped", e);
        }
    }
}
