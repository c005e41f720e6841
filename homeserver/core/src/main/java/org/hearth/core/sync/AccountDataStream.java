package org.hearth.core.sync;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Account data, global and per room (spec: "Client Config"), and room tags kept as the room's {@code m.tag}
 * (spec: "Room Tagging"). Visible only to its owner.
 */
public final class AccountDataStream {
    /** Server-controlled types the spec forbids setting through the account data API (405 {@code M_BAD_JSON}). */
    public static final Set<String> SERVER_CONTROLLED = Set.of("m.fully_read", "m.push_rules");
    /** The user's push rules (spec: "Push Rules"); written only by {@code PushRulesHandler} through {@link #editGlobal}. */
    public static final String PUSH_RULES = "m.push_rules";
    static final String GLOBAL = "";
    static final String TAG = "m.tag";
    static final String FULLY_READ = "m.fully_read";

    private final Database database;
    private final Notifier notifier;

    public AccountDataStream(Database database, Notifier notifier) {
        this.database = database;
        this.notifier = notifier;
    }

    /** One changed entry; {@code room} null for global data. */
    public record Entry(RoomId room, String type, JsonObject content, long position) {}

    public void put(UserId user, Optional<RoomId> room, String type, JsonObject content) {
        if (SERVER_CONTROLLED.contains(type)) {
            throw new MatrixException(ErrorCode.BAD_JSON, 405, "Cannot set " + type + " through this API.");
        }
        store(user, room, type, content);
    }

    /** For the server's own writers (read markers set {@code m.fully_read}). */
    void store(UserId user, Optional<RoomId> room, String type, JsonObject content) {
        checkType(type);
        database.transaction(tx -> {
            long position = StreamPositions.advance(database, tx, StreamPositions.ACCOUNT_DATA);
            tx.createNamedInsert("streams-account-data-put")
                    .addParam("user_id", user.value()).addParam("room_id", roomKey(room)).addParam("type", type)
                    .addParam("content", content.toString()).addParam("stream_id", position).execute();
            return position;
        });
        notifier.notifyUser(user);
    }

    /** {@code M_NOT_FOUND} when never set (spec: GET account_data). */
    public JsonObject get(UserId user, Optional<RoomId> room, String type) {
        return find(user, room, type).orElseThrow(
                () -> new MatrixException(ErrorCode.NOT_FOUND, "No account data of type " + type));
    }

    /**
     * The entry as its owner sees it. Global {@code m.push_rules} is stored as the user's own rules only and
     * shown merged with the server-default rules, and shown (defaults only) even when never set, as Synapse does.
     */
    public Optional<JsonObject> find(UserId user, Optional<RoomId> room, String type) {
        Optional<JsonObject> stored = database.execute().createNamedGet("streams-account-data-get")
                .addParam("user_id", user.value()).addParam("room_id", roomKey(room)).addParam("type", type)
                .execute().map(row -> Json.parseObject(row.column("content").get(String.class)));
        if (room.isEmpty() && type.equals(PUSH_RULES)) {
            return Optional.of(PushRulesView.effective(user, stored));
        }
        return stored;
    }

    /**
     * For the server's own writers of a global server-controlled type: reads the stored content (empty object
     * when unset) under a row lock, stores {@code edit}'s result, advances the stream and wakes the user's syncs.
     * An exception from {@code edit} changes nothing.
     */
    public void editGlobal(UserId user, String type, UnaryOperator<JsonObject> edit) {
        checkType(type);
        database.transaction(tx -> {
            // Advancing first takes the stream's row lock until commit, so concurrent edits run one after the
            // other even while no row exists yet (FOR UPDATE on a missing row locks nothing under READ COMMITTED).
            long position = StreamPositions.advance(database, tx, StreamPositions.ACCOUNT_DATA);
            JsonObject current = tx.createNamedGet("streams-account-data-get-for-update")
                    .addParam("user_id", user.value()).addParam("room_id", GLOBAL).addParam("type", type)
                    .execute().map(row -> Json.parseObject(row.column("content").get(String.class)))
                    .orElse(jakarta.json.JsonValue.EMPTY_JSON_OBJECT);
            JsonObject content = edit.apply(current);
            tx.createNamedInsert("streams-account-data-put")
                    .addParam("user_id", user.value()).addParam("room_id", GLOBAL).addParam("type", type)
                    .addParam("content", content.toString()).addParam("stream_id", position).execute();
            return position;
        });
        notifier.notifyUser(user);
    }

    public JsonObject tags(UserId user, RoomId room) {
        JsonObject tagData = find(user, Optional.of(room), TAG).orElse(jakarta.json.JsonValue.EMPTY_JSON_OBJECT);
        return tagData.get("tags") instanceof JsonObject tags ? tags : jakarta.json.JsonValue.EMPTY_JSON_OBJECT;
    }

    /** Spec "PUT .../tags/{tag}": the body holds the tag's {@code order}, if any. */
    public void putTag(UserId user, RoomId room, String tag, JsonObject body) {
        if (tag.isEmpty() || tag.length() > 255) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Tag names are 1 to 255 characters");
        }
        editTags(user, room, tags -> Json.objectBuilder(tags).add(tag, body).build());
    }

    public void deleteTag(UserId user, RoomId room, String tag) {
        editTags(user, room, tags -> Json.objectBuilder(tags).remove(tag).build());
    }

    private void editTags(UserId user, RoomId room, UnaryOperator<JsonObject> edit) {
        database.transaction(tx -> {
            // FOR UPDATE: two tag edits at once must not lose one another's tag.
            JsonObject current = tx.createNamedGet("streams-account-data-get-for-update")
                    .addParam("user_id", user.value()).addParam("room_id", room.value()).addParam("type", TAG)
                    .execute().map(row -> Json.parseObject(row.column("content").get(String.class)))
                    .orElse(jakarta.json.JsonValue.EMPTY_JSON_OBJECT);
            JsonObject tags = current.get("tags") instanceof JsonObject t ? t : jakarta.json.JsonValue.EMPTY_JSON_OBJECT;
            JsonObject content = Json.objectBuilder().add("tags", edit.apply(tags)).build();
            long position = StreamPositions.advance(database, tx, StreamPositions.ACCOUNT_DATA);
            tx.createNamedInsert("streams-account-data-put")
                    .addParam("user_id", user.value()).addParam("room_id", room.value()).addParam("type", TAG)
                    .addParam("content", content.toString()).addParam("stream_id", position).execute();
            return position;
        });
        notifier.notifyUser(user);
    }

    /** Entries of {@code user} changed in ({@code from}, {@code to}]; the latest content of each. */
    List<Entry> changes(UserId user, long from, long to) {
        List<Entry> out = new ArrayList<>();
        database.execute().createNamedQuery("streams-account-data-since")
                .addParam("user_id", user.value()).addParam("from", from).addParam("to", to)
                .execute().forEach(row -> {
                    String room = row.column("room_id").get(String.class);
                    String type = row.column("type").get(String.class);
                    JsonObject content = Json.parseObject(row.column("content").get(String.class));
                    if (room.equals(GLOBAL) && type.equals(PUSH_RULES)) {
                        content = PushRulesView.effective(user, Optional.of(content));
                    }
                    out.add(new Entry(room.equals(GLOBAL) ? null : RoomId.parse(room), type, content,
                            StreamPositions.longColumn(row, "stream_id")));
                });
        return out;
    }

    private static void checkType(String type) {
        if (type.isEmpty() || type.length() > 255) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Account data types are 1 to 255 characters");
        }
    }

    private static String roomKey(Optional<RoomId> room) {
        return room.map(RoomId::value).orElse(GLOBAL);
    }
}
