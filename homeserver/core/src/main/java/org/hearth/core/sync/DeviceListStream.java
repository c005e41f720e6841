package org.hearth.core.sync;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.port.KeyChanges;
import org.hearth.core.storage.Database;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * {@code device_lists.changed} of /sync (spec: "Tracking the device list for a user"): local users whose devices
 * changed, shown to themselves and to users sharing a room with them. One row per user: changes coalesce.
 */
public final class DeviceListStream implements DeviceChanges, KeyChanges {
    /** Memberships that count as sharing the room for device tracking (Synapse's "newly joined or invited"). */
    private static final Set<String> JOINED = Set.of("join", "invite", "knock");

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
                long position = StreamPositions.advance(database, tx, StreamPositions.DEVICE_LISTS);
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

    /** {@code device_lists} of /sync and the answer of /keys/changes. */
    public record Changes(List<String> changed, List<String> left) {
        public static final Changes NONE = new Changes(List.of(), List.of());

        public boolean isEmpty() {
            return changed.isEmpty() && left.isEmpty();
        }
    }

    /**
     * What {@code viewer} must refetch or may stop tracking between two sync tokens (spec: "Extensions to /sync",
     * "GET /keys/changes"), as Synapse computes it over every shared room, encrypted or not: {@code changed} holds
     * users sharing a room whose devices or cross-signing keys changed, whose master keys the viewer signed, who
     * joined (or were invited to or knocked on) a room of the viewer, and the members of rooms the viewer joined;
     * {@code left} the users who left a room of the viewer, or were in a room the viewer left, and now share none.
     */
    public Changes changes(UserId viewer, SyncToken from, SyncToken to) {
        // Read only when needed: most woken syncs (a new message) have neither device-list changes nor leavers.
        java.util.function.Supplier<Set<UserId>> sharing = new java.util.function.Supplier<>() {
            private Set<UserId> users;

            @Override
            public Set<UserId> get() {
                if (users == null) {
                    users = membership.usersSharingRooms(viewer);
                }
                return users;
            }
        };
        Set<String> changed = new LinkedHashSet<>();
        Set<UserId> left = new LinkedHashSet<>();
        if (from.deviceLists() < to.deviceLists()) {
            Set<UserId> visible = new HashSet<>(sharing.get());
            visible.add(viewer);
            database.execute().createNamedQuery("streams-device-list-since")
                    .addParam("from", from.deviceLists()).addParam("to", to.deviceLists()).execute()
                    .forEach(row -> {
                        UserId user = UserId.parse(row.column("user_id").get(String.class));
                        if (visible.contains(user)) {
                            changed.add(user.value());
                        }
                    });
            database.execute().createNamedQuery("keys-signature-changes-since").addParam("viewer_id", viewer.value())
                    .addParam("from", from.deviceLists()).addParam("to", to.deviceLists()).execute()
                    .forEach(row -> changed.add(row.column("user_id").get(String.class)));
        }
        if (from.rooms() < to.rooms()) {
            Set<RoomId> joined = membership.joinedRooms(viewer);
            Set<RoomId> leftRooms = new HashSet<>();
            for (RoomMembership.MembershipChange change : membership.membershipChanges(from.rooms(), to.rooms())) {
                boolean in = JOINED.contains(change.membership());
                if (change.user().equals(viewer)) {
                    if (in) {
                        leftRooms.remove(change.room());
                        if (joined.contains(change.room()) && change.membership().equals("join")) {
                            membership.joinedMembers(change.room()).forEach(u -> changed.add(u.value()));
                        }
                    } else {
                        leftRooms.add(change.room());
                    }
                } else if (joined.contains(change.room())) {
                    if (in) {
                        changed.add(change.user().value());
                        left.remove(change.user());
                    } else {
                        left.add(change.user());
                        changed.remove(change.user().value());
                    }
                }
            }
            leftRooms.removeAll(joined);
            for (RoomId room : leftRooms) {
                left.addAll(membership.joinedMembers(room));
            }
        }
        if (!left.isEmpty()) {
            left.removeAll(sharing.get());
            left.remove(viewer);
        }
        return new Changes(List.copyOf(changed), left.stream().map(UserId::value).toList());
    }

    @Override
    public void keysChanged(UserId user) {
        devicesChanged(user);
    }

    @Override
    public void signaturesChanged(UserId signer, Set<UserId> targets) {
        try {
            database.transaction(tx -> {
                long position = StreamPositions.advance(database, tx, StreamPositions.DEVICE_LISTS);
                for (UserId target : targets) {
                    tx.createNamedInsert("keys-signature-change-put").addParam("viewer_id", signer.value())
                            .addParam("user_id", target.value()).addParam("stream_id", position).execute();
                }
                return position;
            });
            notifier.notifyUser(signer);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "signature change of " + signer.value() + " not recorded", e);
        }
    }
}
