package org.hearth.core.sync;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Set;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.storage.Database;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.id.ServerName;

/**
 * Every stream that feeds /sync, built over one database and the room engine's two ports; runs the typing
 * expiry tick until closed.
 */
public final class SyncStreams implements EventNotifier, AutoCloseable {
    private static final Logger LOG = System.getLogger(SyncStreams.class.getName());
    private static final long TYPING_TICK_MS = 500;
    // The presence sweep runs every this many typing ticks (5 s): offline comes 30-35 s after the last sync.
    private static final int PRESENCE_TICKS = 10;

    private final Notifier notifier;
    private final AccountDataStream accountData;
    private final TypingStream typing;
    private final ReceiptStream receipts;
    private final PresenceStream presence;
    private final FilterStore filters;
    private final ToDeviceStream toDevice;
    private final DeviceListStream deviceLists;
    private final SyncHandler sync;
    private final Thread typingTick;

    public SyncStreams(Database database, RoomsStream rooms, RoomMembership membership, DeviceDirectory devices,
                       ServerName localServer, Clock clock) {
        this.notifier = new Notifier(membership);
        this.accountData = new AccountDataStream(database, notifier);
        this.typing = new TypingStream(notifier, membership, clock);
        this.receipts = new ReceiptStream(database, notifier, membership, accountData, clock);
        this.presence = new PresenceStream(database, notifier, membership, clock);
        this.filters = new FilterStore(database);
        this.toDevice = new ToDeviceStream(database, notifier, devices, localServer, clock);
        this.deviceLists = new DeviceListStream(database, notifier, membership);
        this.sync = new SyncHandler(rooms, membership, notifier, database, typing, receipts, presence, accountData,
                toDevice, deviceLists);
        this.typingTick = Thread.ofVirtual().name("typing-expiry").start(this::tick);
    }

    private void tick() {
        long ticks = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(TYPING_TICK_MS);
                typing.expire();
                if (++ticks % PRESENCE_TICKS == 0) {
                    presence.sweep();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "typing expiry or presence sweep failed", e);
            }
        }
    }

    /** Where ephemeral events also go once stored (application services); none until set. */
    public void ephemeralEvents(org.hearth.core.port.EphemeralEvents listener) {
        typing.listener = listener;
        receipts.listener = listener;
        presence.listener = listener;
        toDevice.listener = listener;
    }

    /** The room engine's events reach waiting syncs: the room's members, and whoever's membership changed. */
    @Override
    public void eventsPersisted(RoomId room, long position, Set<UserId> membershipChanged) {
        notifier.notifyRoom(room);
        notifier.notifyUsers(membershipChanged);
    }

    public Notifier notifier() {
        return notifier;
    }

    public AccountDataStream accountData() {
        return accountData;
    }

    public TypingStream typing() {
        return typing;
    }

    public ReceiptStream receipts() {
        return receipts;
    }

    public PresenceStream presence() {
        return presence;
    }

    public FilterStore filters() {
        return filters;
    }

    public ToDeviceStream toDevice() {
        return toDevice;
    }

    /** The accounts side's {@code DeviceChanges} port. */
    public DeviceListStream deviceLists() {
        return deviceLists;
    }

    public SyncHandler sync() {
        return sync;
    }

    @Override
    public void close() {
        typingTick.interrupt();
    }
}
