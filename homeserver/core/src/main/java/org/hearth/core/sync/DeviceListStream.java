package org.hearth.core.sync;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.storage.Database;
import org.hearth.spec.id.UserId;

/**
 * {@code device_lists.changed} of /sync (spec: "Tracking the device list for a user"): local users whose devices
 * changed, shown to themselves and to users sharing a room with them. One row per user: changes coalesce.
 */
public final class DeviceListStream implements DeviceChanges {
    private static final Logger LOG = System.getLogger(DeviceListStream.class.getName());

    private final Database database;
    private final Notifier notifier;
    private final RoomMembership membership;

    public DeviceListStream(Database database, Notifier notifier, RoomMembership membership) {
        this.database = database;
        this.notifier = notifier;
        this.membership = membership;
    }

    @Override
    public void devicesChanged(UserId user) {
        try {
            database.transaction(tx -> {
                long position = StreamPositions.advance(tx, StreamPositions.DEVICE_LISTS);
                tx.createNamedInsert("streams-device-list-put")
                        .addParam("user_id", user.value()).addParam("stream_id", position).execute();
                return position;
            });
            notifier.notifyUser(user);
            notifier.notifyUsers(membership.usersSharingRooms(user));
        } catch (RuntimeException e) {
            // The port must not throw: the device change itself is committed; only its announcement is lost.
            LOG.log(Level.ERROR, "device list change of " + user.value() + " not recorded", e);
        }
    }

    /** Users visible to {@code viewer} whose devices changed in ({@code from}, {@code to}]. */
    List<String> changes(UserId viewer, long from, long to) {
        Set<UserId> visible = new HashSet<>(membership.usersSharingRooms(viewer));
        visible.add(viewer);
        List<String> out = new ArrayList<>();
        database.execute().createNamedQuery("streams-device-list-since")
                .addParam("from", from).addParam("to", to).execute()
                .forEach(row -> {
                    UserId user = UserId.parse(row.column("user_id").get(String.class));
                    if (visible.contains(user)) {
                        out.add(user.value());
                    }
                });
        return out;
    }
}
