package org.hearth.core.sync;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.port.ReadReceipts;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.EventId;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Receipts (spec: "Receipts", threaded ones included) and read markers (spec: "Fully read markers").
 * {@code m.read.private} is delivered only to its sender; {@code m.fully_read} is room account data.
 */
public final class ReceiptStream {
    public static final String READ = "m.read";
    public static final String READ_PRIVATE = "m.read.private";
    public static final String FULLY_READ = "m.fully_read";
    static final String UNTHREADED = "";

    private final Database database;
    private final Notifier notifier;
    private final RoomMembership membership;
    private final AccountDataStream accountData;
    private final Clock clock;
    private volatile ReadReceipts reads = ReadReceipts.NONE;
    volatile org.hearth.core.port.EphemeralEvents listener = org.hearth.core.port.EphemeralEvents.NONE;

    public ReceiptStream(Database database, Notifier notifier, RoomMembership membership, AccountDataStream accountData,
                         Clock clock) {
        this.database = database;
        this.notifier = notifier;
        this.membership = membership;
        this.accountData = accountData;
        this.clock = clock;
    }

    /** Unread counts follow read receipts (set once at wiring). */
    public void useReadReceipts(ReadReceipts reads) {
        this.reads = reads;
    }

    record Receipt(RoomId room, String type, UserId user, String threadId, String eventId, long ts) {}

    /**
     * Spec "POST /rooms/{roomId}/receipt/{receiptType}/{eventId}". {@code threadId} empty for an unthreaded
     * receipt; "main" or a thread root's event ID otherwise.
     */
    public void receipt(UserId user, RoomId room, String type, EventId event, Optional<String> threadId) {
        requireJoined(user, room);
        switch (type) {
            case READ, READ_PRIVATE -> store(user, room, type, event, threadId.orElse(UNTHREADED));
            case FULLY_READ -> {
                if (threadId.isPresent()) {
                    throw new MatrixException(ErrorCode.INVALID_PARAM, "m.fully_read cannot be threaded");
                }
                fullyRead(user, room, event);
            }
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "Unknown receipt type " + type);
        }
    }

    /**
     * A receipt of a server extension type (such as the receipts plugin's {@code org.hearth.delivered}): unthreaded,
     * shown in {@code m.receipt} like {@code m.read} (clients ignore types they do not know), never clearing unread
     * counts and never federated. The type must be namespaced and not {@code m.*}.
     */
    public void extensionReceipt(UserId user, RoomId room, String type, EventId event) {
        if (type.startsWith("m.") || !type.contains(".") || type.length() > 100) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Not an extension receipt type: " + type);
        }
        requireJoined(user, room);
        store(user, room, type, event, UNTHREADED);
    }

    /** Spec "POST /rooms/{roomId}/read_markers": each marker given is set; none given is fine. */
    public void readMarkers(UserId user, RoomId room, Optional<EventId> fullyRead, Optional<EventId> read,
                            Optional<EventId> readPrivate) {
        requireJoined(user, room);
        fullyRead.ifPresent(e -> fullyRead(user, room, e));
        read.ifPresent(e -> store(user, room, READ, e, UNTHREADED));
        readPrivate.ifPresent(e -> store(user, room, READ_PRIVATE, e, UNTHREADED));
    }

    private void fullyRead(UserId user, RoomId room, EventId event) {
        accountData.store(user, Optional.of(room), AccountDataStream.FULLY_READ,
                Json.objectBuilder().add("event_id", event.value()).build());
    }

    private void store(UserId user, RoomId room, String type, EventId event, String threadId) {
        if (threadId.length() > 200) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "thread_id is too long");
        }
        database.transaction(tx -> {
            // Counts first: what they do after the commit (drop the in-memory counts) is done before the new
            // position is published, so a sync that sees the receipt sees the counts it cleared.
            if (type.equals(READ) || type.equals(READ_PRIVATE)) {
                reads.read(tx, user, room, threadId, event.value());
            }
            long position = StreamPositions.advance(database, tx, StreamPositions.RECEIPTS);
            tx.createNamedInsert("streams-receipt-put")
                    .addParam("room_id", room.value()).addParam("receipt_type", type)
                    .addParam("user_id", user.value()).addParam("thread_id", threadId)
                    .addParam("event_id", event.value()).addParam("ts", clock.millis())
                    .addParam("stream_id", position).execute();
            return position;
        });
        if (type.equals(READ_PRIVATE)) {
            notifier.notifyUser(user);
        } else {
            notifier.notifyRoom(room);
            var receipt = Json.objectBuilder().add("ts", clock.millis());
            if (!threadId.equals(UNTHREADED)) {
                receipt.add("thread_id", threadId);
            }
            listener.roomEphemeral(room, Json.objectBuilder().add("type", "m.receipt").add("room_id", room.value())
                    .add("content", Json.objectBuilder().add(event.value(), Json.objectBuilder().add(type,
                            Json.objectBuilder().add(user.value(), receipt)))).build());
            if (type.equals(READ)) {
                listener.receipt(user, room, type, event.value(), threadId, clock.millis());
            }
        }
    }

    private void requireJoined(UserId user, RoomId room) {
        if (!membership.isJoined(user, room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not joined to " + room.value());
        }
    }

    /**
     * The {@code m.receipt} event of each room in {@code rooms} with receipts in ({@code from}, {@code to}]
     * that {@code viewer} may see; {@code from} 0 gives every receipt of those rooms.
     */
    Map<RoomId, JsonObject> changes(UserId viewer, Set<RoomId> rooms, long from, long to) {
        List<Receipt> found = new ArrayList<>();
        if (from == 0) {
            for (RoomId room : rooms) {
                database.execute().createNamedQuery("streams-receipts-in-room")
                        .addParam("room_id", room.value()).addParam("to", to).execute()
                        .forEach(row -> found.add(receipt(row)));
            }
        } else {
            database.execute().createNamedQuery("streams-receipts-since")
                    .addParam("from", from).addParam("to", to).execute()
                    .map(ReceiptStream::receipt)
                    .forEach(r -> {
                        if (rooms.contains(r.room())) {
                            found.add(r);
                        }
                    });
        }
        Map<RoomId, Map<String, Map<String, Map<String, JsonObject>>>> byRoom = new LinkedHashMap<>();
        for (Receipt r : found) {
            if (r.type().equals(READ_PRIVATE) && !r.user().equals(viewer)) {
                continue;
            }
            JsonObjectBuilder data = Json.objectBuilder().add("ts", r.ts());
            if (!r.threadId().equals(UNTHREADED)) {
                data.add("thread_id", r.threadId());
            }
            byRoom.computeIfAbsent(r.room(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.eventId(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.type(), k -> new LinkedHashMap<>())
                    .put(r.user().value(), data.build());
        }
        Map<RoomId, JsonObject> out = new HashMap<>();
        byRoom.forEach((room, events) -> {
            JsonObjectBuilder content = Json.objectBuilder();
            events.forEach((eventId, types) -> {
                JsonObjectBuilder typesJson = Json.objectBuilder();
                types.forEach((type, users) -> {
                    JsonObjectBuilder usersJson = Json.objectBuilder();
                    users.forEach(usersJson::add);
                    typesJson.add(type, usersJson);
                });
                content.add(eventId, typesJson);
            });
            out.put(room, Json.objectBuilder().add("type", "m.receipt").add("content", content).build());
        });
        return out;
    }

    private static Receipt receipt(io.helidon.dbclient.DbRow row) {
        return new Receipt(RoomId.parse(row.column("room_id").get(String.class)),
                row.column("receipt_type").get(String.class),
                UserId.parse(row.column("user_id").get(String.class)),
                row.column("thread_id").get(String.class),
                row.column("event_id").get(String.class),
                StreamPositions.longColumn(row, "ts"));
    }
}
