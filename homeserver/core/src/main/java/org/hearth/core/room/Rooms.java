package org.hearth.core.room;

import io.helidon.dbclient.DbExecute;
import java.time.Clock;
import java.util.List;
import org.hearth.core.directory.RoomDirectory;
import org.hearth.core.directory.RoomSummaries;
import org.hearth.core.directory.UserDirectory;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.relations.RelationIndex;
import org.hearth.core.search.SearchIndex;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.RoundTrip;
import org.hearth.spec.crypto.SigningKey;

/**
 * The room engine's parts over one database, wired together. Stream positions and state group IDs are allocated
 * in memory (from the database's maxima at start), so one process writes a database's rooms; scale-out needs them
 * allocated in the database.
 */
public final class Rooms {
    private final RoomEngine engine;
    private final RoomReader reader;
    private final RoomAliases aliases;
    private final MemberProfiles memberProfiles;
    private final RelationIndex relations;
    private final SearchIndex search;
    private final RoomDirectory directory;
    private final UserDirectory userDirectory;
    private final EventsByTime eventsByTime;
    private final RetentionPurge retentionPurge;

    public Rooms(Database database, String serverName, SigningKey signingKey, Clock clock, EventNotifier notifier) {
        this(database, serverName, signingKey, clock, notifier, RetentionSettings.DISABLED);
    }

    public Rooms(Database database, String serverName, SigningKey signingKey, Clock clock, EventNotifier notifier,
                 RetentionSettings retention) {
        EventRepository events = new EventRepository(database);
        StateSnapshots snapshots = new StateSnapshots(database);
        StreamPositions positions = new StreamPositions(events.maxStreamOrdering());
        this.relations = new RelationIndex(database);
        this.search = new SearchIndex(database);
        EventIndex index = new EventIndex() {
            @Override
            public void persisted(DbExecute tx, StoredEvent event, String redacts) {
                relations.persisted(tx, event, redacts);
                search.persisted(tx, event, redacts);
            }

            @Override
            public void persisted(DbExecute tx, RoundTrip writes, List<StoredEvent> events, List<String> redacts) {
                for (int i = 0; i < events.size(); i++) {
                    relations.persisted(tx, events.get(i), redacts.get(i));
                }
                search.persisted(writes, events, redacts);
            }
        };
        this.engine = new RoomEngine(database, serverName, signingKey, clock, notifier, events, snapshots, positions,
                index);
        this.reader = new RoomReader(database, events, snapshots, positions, retention, clock);
        this.retentionPurge = new RetentionPurge(database, events, reader);
        this.aliases = new RoomAliases(database);
        this.memberProfiles = new MemberProfiles(this);
        this.directory = new RoomDirectory(database, new RoomSummaries(database, reader), clock);
        this.userDirectory = new UserDirectory(database, reader, directory.summaries());
        this.eventsByTime = new EventsByTime(database, reader);
    }

    private volatile org.hearth.core.port.MemberViews memberViews = org.hearth.core.port.MemberViews.EVERYONE;

    /** Whose membership each viewer may see (plugins' member visibility), once plugins are loaded. */
    public void useMemberViews(org.hearth.core.port.MemberViews memberViews) {
        this.memberViews = memberViews;
    }

    public org.hearth.core.port.MemberViews memberViews() {
        return memberViews;
    }

    private volatile org.hearth.core.port.RemoteMembership remoteMembership = org.hearth.core.port.RemoteMembership.NONE;

    /** Joins to rooms of other servers go through federation once it is wired. */
    public void useRemoteMembership(org.hearth.core.port.RemoteMembership remoteMembership) {
        this.remoteMembership = remoteMembership;
    }

    public org.hearth.core.port.RemoteMembership remoteMembership() {
        return remoteMembership;
    }

    private volatile org.hearth.core.port.RemoteQueries remoteQueries = org.hearth.core.port.RemoteQueries.NONE;

    /** Aliases of other servers resolve through federation once it is wired. */
    public void useRemoteQueries(org.hearth.core.port.RemoteQueries remoteQueries) {
        this.remoteQueries = remoteQueries;
    }

    public org.hearth.core.port.RemoteQueries remoteQueries() {
        return remoteQueries;
    }

    private volatile org.hearth.core.port.RemoteHistory remoteHistory = org.hearth.core.port.RemoteHistory.NONE;

    /** History this server missed is backfilled from other servers once federation is wired. */
    public void useRemoteHistory(org.hearth.core.port.RemoteHistory remoteHistory) {
        this.remoteHistory = remoteHistory;
    }

    public org.hearth.core.port.RemoteHistory remoteHistory() {
        return remoteHistory;
    }

    private volatile org.hearth.core.port.RemoteRoomDirectory remoteRoomDirectory =
            org.hearth.core.port.RemoteRoomDirectory.UNREACHABLE;

    /** Other servers' published rooms ({@code /publicRooms?server=}) through federation once it is wired. */
    public void useRemoteRoomDirectory(org.hearth.core.port.RemoteRoomDirectory remoteRoomDirectory) {
        this.remoteRoomDirectory = remoteRoomDirectory;
    }

    public org.hearth.core.port.RemoteRoomDirectory remoteRoomDirectory() {
        return remoteRoomDirectory;
    }

    /** The published room directory and room summaries. */
    public RoomDirectory directory() {
        return directory;
    }

    public UserDirectory userDirectory() {
        return userDirectory;
    }

    /** Purges events expired under the rooms' retention policies. */
    public RetentionPurge retentionPurge() {
        return retentionPurge;
    }

    public EventsByTime eventsByTime() {
        return eventsByTime;
    }

    public MemberProfiles memberProfiles() {
        return memberProfiles;
    }

    public RoomEngine engine() {
        return engine;
    }

    public RoomReader reader() {
        return reader;
    }

    public RoomAliases aliases() {
        return aliases;
    }

    public RelationIndex relations() {
        return relations;
    }

    public SearchIndex search() {
        return search;
    }
}
