package org.hearth.core.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Stored sync filters (spec: "POST/GET /user/{userId}/filter"); IDs are per server, readable by their owner only. */
public final class FilterStore {
    private final Database database;
    // Parsed filters by "user id" or inline JSON: a stored filter never changes, and clients send the same one with
    // every /sync (a query and a parse each time otherwise).
    private final Cache<String, SyncFilter> parsed = Caffeine.newBuilder().maximumSize(10_000).build();

    public FilterStore(Database database) {
        this.database = database;
    }

    /** Validates and stores {@code filter}; its ID. */
    public String create(UserId user, JsonObject filter) {
        SyncFilter.parse(filter);
        long id = database.transaction(tx -> {
            tx.createNamedInsert("streams-filter-insert")
                    .addParam("user_id", user.value()).addParam("content", filter.toString()).execute();
            return tx.namedGet("streams-last-id").map(row -> StreamPositions.longColumn(row, "id"))
                    .orElseThrow(() -> new IllegalStateException("no filter ID generated"));
        });
        return Long.toString(id);
    }

    /** {@code M_NOT_FOUND} for an unknown ID or one of another user. */
    public JsonObject get(UserId user, String filterId) {
        if (filterId.isEmpty() || filterId.length() > 18 || !filterId.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No such filter");
        }
        return database.execute().createNamedGet("streams-filter-get")
                .addParam("user_id", user.value()).addParam("filter_id", Long.parseLong(filterId)).execute()
                .map(row -> Json.parseObject(row.column("content").get(String.class)))
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No such filter"));
    }

    /**
     * The {@code filter} parameter of /sync: a filter ID or a JSON object; {@code M_INVALID_PARAM} when it is
     * neither. Null gives the empty filter.
     */
    public SyncFilter resolve(UserId user, String param) {
        if (param == null || param.isEmpty()) {
            return SyncFilter.EMPTY;
        }
        String key = param.startsWith("{") ? param : user.value() + " " + param;
        SyncFilter known = parsed.getIfPresent(key);
        if (known != null) {
            return known;
        }
        SyncFilter filter = parse(user, param);
        parsed.put(key, filter);
        return filter;
    }

    private SyncFilter parse(UserId user, String param) {
        if (param.startsWith("{")) {
            JsonValue parsed;
            try {
                parsed = Json.parse(param);
            } catch (MatrixException e) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "filter is not valid JSON");
            }
            if (!(parsed instanceof JsonObject object)) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "filter must be a JSON object");
            }
            return SyncFilter.parse(object);
        }
        try {
            return SyncFilter.parse(get(user, param));
        } catch (MatrixException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "No filter " + param);
            }
            throw e;
        }
    }
}
