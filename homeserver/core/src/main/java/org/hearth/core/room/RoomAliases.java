package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** Local room aliases (spec: "Room aliases"). */
public final class RoomAliases {
    private final Database database;

    RoomAliases(Database database) {
        this.database = database;
    }

    public record Entry(RoomAlias alias, RoomId roomId, UserId creator) {}

    public Optional<Entry> resolve(RoomAlias alias) {
        return database.execute().createNamedGet("rooms-alias-get").params(params("room_alias", alias.value()))
                .execute().map(RoomAliases::entry);
    }

    /** {@code M_ROOM_IN_USE} when the alias is taken. */
    public void create(RoomAlias alias, RoomId room, UserId creator) {
        database.transaction(tx -> {
            insert(tx, alias, room, creator);
            return null;
        });
    }

    /** Inside another transaction (createRoom); a taken alias fails it with {@code M_ROOM_IN_USE}. */
    public void insert(DbExecute tx, RoomAlias alias, RoomId room, UserId creator) {
        if (tx.createNamedGet("rooms-alias-get").params(params("room_alias", alias.value())).execute().isPresent()) {
            throw new MatrixException(ErrorCode.ROOM_IN_USE, "Room alias " + alias.value() + " already exists");
        }
        try {
            tx.createNamedInsert("rooms-alias-insert").params(params("room_alias", alias.value(),
                    "room_id", room.value(), "creator", creator.value())).execute();
        } catch (RuntimeException e) {
            if (causedBy(e, SQLIntegrityConstraintViolationException.class)) {
                throw new MatrixException(ErrorCode.ROOM_IN_USE, "Room alias " + alias.value() + " already exists");
            }
            throw e;
        }
    }

    public boolean delete(RoomAlias alias) {
        return database.execute().createNamedDelete("rooms-alias-delete").params(params("room_alias", alias.value()))
                .execute() > 0;
    }

    public List<RoomAlias> aliasesOf(RoomId room) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-aliases-of-room")
                .params(params("room_id", room.value())).execute()) {
            return rows.map(r -> RoomAlias.parse(str(r, "room_alias"))).toList();
        }
    }

    private static Entry entry(DbRow r) {
        return new Entry(RoomAlias.parse(str(r, "room_alias")), RoomId.parse(str(r, "room_id")),
                UserId.parse(str(r, "creator")));
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
