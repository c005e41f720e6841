package org.hearth.server;

import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.hearth.core.keys.KeysHandler;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.port.EphemeralEvents;
import org.hearth.core.port.KeyChanges;
import org.hearth.core.port.RemoteKeys;
import org.hearth.core.storage.Database;
import org.hearth.core.sync.RoomMembership;
import org.hearth.core.sync.SyncStreams;
import org.hearth.federation.devices.LocalDeviceLists;
import org.hearth.federation.devices.RemoteDeviceLists;
import org.hearth.federation.devices.SharingServers;
import org.hearth.federation.inbound.ReceivedEdus;
import org.hearth.federation.inbound.TransactionRoutes;
import org.hearth.federation.inbound.UserKeyRoutes;
import org.hearth.federation.send.EphemeralEdus;
import org.hearth.federation.send.TransactionQueue;
import org.hearth.spec.id.UserId;

/**
 * End-to-end encryption over federation wired in (issue 9, remote half): local device-list and key changes go out
 * as EDUs, remote users' keys come from their servers, the {@code /user/...} key endpoints answer, and device-list,
 * signing-key, to-device and presence EDUs reach the local streams.
 */
final class FederatedDevices {
    private FederatedDevices() {}

    /** Called once the outbound queue exists; the federation routes have not been built into a server yet. */
    static LocalDeviceLists install(String serverName, Database database, KeysHandler keys, SyncStreams streams,
                                    RoomMembership membership, Federation federation, TransactionQueue outbound,
                                    HttpRouting.Builder routing, Map<String, TransactionRoutes.EduHandler> eduHandlers,
                                    AtomicReference<RemoteKeys> remoteKeys, AtomicReference<KeyChanges> keyChanges,
                                    AtomicReference<DeviceChanges> deviceChanges, EphemeralEvents appServices,
                                    Clock clock) {
        var sharing = new SharingServers(serverName, membership);
        var local = new LocalDeviceLists(serverName, database, keys, sharing, outbound::sendEdu);
        // Remote users' changes only mark them changed locally: they must not be announced back out.
        var remote = new RemoteDeviceLists(database, federation.client(), sharing, streams.deviceLists(), clock);
        remoteKeys.set(remote);
        DeviceChanges before = deviceChanges.get();
        deviceChanges.set(user -> {
            before.devicesChanged(user);
            local.devicesChanged(user);
        });
        KeyChanges syncKeys = keyChanges.get();
        keyChanges.set(new KeyChanges() {
            @Override
            public void keysChanged(UserId user) {
                syncKeys.keysChanged(user);
                local.keysChanged(user);
            }

            @Override
            public void signaturesChanged(UserId signer, java.util.Set<UserId> targets) {
                syncKeys.signaturesChanged(signer, targets);
            }
        });
        // One feed: appservices, then federation (typing and receipts by room, presence and to-device as EDUs).
        streams.ephemeralEvents(EphemeralEvents.all(appServices, outbound, new EphemeralEdus(serverName, sharing, outbound::sendEdu)));
        var received = new ReceivedEdus(serverName, streams.toDevice(), streams.presence(), sharing);
        eduHandlers.put("m.device_list_update", remote::deviceListUpdate);
        eduHandlers.put("m.signing_key_update", remote::signingKeyUpdate);
        eduHandlers.put("m.direct_to_device", received::directToDevice);
        eduHandlers.put("m.presence", received::presence);
        routing.register("/_matrix/federation/v1", new UserKeyRoutes(federation.auth(), keys, local, serverName));
        return local;
    }
}
