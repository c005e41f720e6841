package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.query;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.hearth.core.push.UnreadNotifications;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Listing notifications" ({@code notifications.yaml}); mounted at /_matrix/client, v3 and r0. */
public final class NotificationsRoutes implements HttpService {
    private final Authenticator auth;
    private final UnreadNotifications notifications;
    private final RoomReader reader;
    private final ClientEvents format;

    public NotificationsRoutes(Authenticator auth, UnreadNotifications notifications, RoomReader reader,
                               ClientEvents format) {
        this.auth = auth;
        this.notifications = notifications;
        this.reader = reader;
        this.format = format;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/notifications", on(Method.GET, this::list));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        long before = UnreadNotifications.parseToken(query(req, "from"));
        int limit = limit(query(req, "limit"));
        String only = query(req, "only");
        boolean onlyHighlight = "highlight".equals(only);
        List<UnreadNotifications.Entry> page = notifications.page(who.userId(), before, limit, onlyHighlight);
        var array = Json.arrayBuilder();
        for (UnreadNotifications.Entry e : page) {
            Optional<StoredEvent> event = reader.event(e.eventId());
            // Expired under the room's retention policy but not purged yet: gone all the same.
            if (event.isEmpty() || reader.expired(event.get(), reader.expiryCutoff(e.room()))) {
                continue;
            }
            JsonObject client = format.format(event.get(), who);
            array.add(Json.objectBuilder().add("actions", e.actions())
                    .add("event", Json.objectBuilder(client).remove("room_id"))
                    .add("read", e.read()).add("room_id", e.room().value()).add("ts", e.ts()));
        }
        var body = Json.objectBuilder().add("notifications", array);
        // A full page may have more behind it; spec: no next_token when there are no more results.
        if (page.size() == limit) {
            body.add("next_token", Long.toString(page.getLast().streamOrdering()));
        }
        Reply.json(res, 200, body.build());
    }

    private static int limit(String value) {
        if (value == null) {
            return UnreadNotifications.DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit > 0) {
                return Math.min(limit, UnreadNotifications.MAX_LIMIT);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be a positive integer");
    }
}
