package org.hearth.server.client;

import static org.hearth.server.client.RoomAccess.path;
import static org.hearth.server.client.RoomAccess.query;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.hearth.core.relations.RelationIndex;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Relation;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Relationships" ({@code /relations}) and "Threading" ({@code /threads}); mounted at
 * /_matrix/client/v1. Pagination tokens are those of {@code /messages} ("t" + a stream position), so a
 * {@code /messages} or {@code /sync} token can start a listing, as the spec allows.
 */
public final class RelationsRoutes implements HttpService {
    // Synapse's defaults: 5 relations, 5 threads a page when the client names no limit.
    static final int DEFAULT_LIMIT = 5;
    static final int MAX_LIMIT = 100;

    private final Authenticator auth;
    private final Rooms rooms;
    private final ClientEvents format;
    private final RoomAccess access;

    public RelationsRoutes(Authenticator auth, Rooms rooms, ClientEvents format) {
        this.auth = auth;
        this.rooms = rooms;
        this.format = format;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/rooms/{roomId}/relations/{eventId}", this::relations)
                .get("/rooms/{roomId}/relations/{eventId}/{relType}", this::relations)
                .get("/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}", this::relations)
                .get("/rooms/{roomId}/threads", this::threads)
                .any("/rooms/{roomId}/relations/{eventId}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/relations/{eventId}/{relType}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/threads", MatrixErrors::wrongMethod);
    }

    private void relations(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        var params = req.path().pathParameters();
        String relType = params.contains("relType") ? path(req, "relType") : null;
        String eventType = params.contains("eventType") ? path(req, "eventType") : null;
        boolean backward = direction(req);
        int limit = limit(req);
        Optional<Long> from = query(req, "from").map(RoomsRoutes::token);
        Optional<Long> to = query(req, "to").map(RoomsRoutes::token);
        Optional<Boolean> recurse = query(req, "recurse").map(RelationsRoutes::bool);
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        // Spec: 404 when the parent is unknown or in history the user cannot see.
        StoredEvent parent = rooms.reader().event(path(req, "eventId"))
                .filter(e -> e.roomId().equals(room.value()) && e.inTimeline())
                .filter(viewer::canSee)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Event not found or not visible to you"));

        long current = rooms.reader().currentPosition();
        // The window (lower, upper] of stream positions; "from" is where the page starts in the direction read.
        long upper = backward ? from.orElse(current) : to.orElse(current);
        long lower = backward ? to.orElse(0L) : from.orElse(0L);
        List<StoredEvent> chunk = new ArrayList<>();
        Long next = null;
        if (recurse.orElse(false)) {
            List<RelationIndex.Child> all = new ArrayList<>(rooms.relations()
                    .descendants(room, parent.eventId(), relType, eventType).stream()
                    .filter(c -> c.streamOrdering() > lower && c.streamOrdering() <= Math.min(upper, current)).toList());
            if (backward) {
                Collections.reverse(all);
            }
            long cursor = 0;
            for (RelationIndex.Child c : all) {
                if (chunk.size() == limit) {
                    next = cursor;
                    break;
                }
                cursor = backward ? c.streamOrdering() - 1 : c.streamOrdering();
                rooms.reader().event(c.eventId()).filter(viewer::canSee).ifPresent(chunk::add);
            }
        } else {
            long cursor = backward ? Math.min(upper, current) : lower;
            long end = backward ? lower : Math.min(upper, current);
            paging:
            while (true) {
                int batch = Math.max(limit - chunk.size(), 1) * 2;
                List<RelationIndex.Child> page = backward
                        ? rooms.relations().children(room, parent.eventId(), relType, eventType, end, cursor, batch, true)
                        : rooms.relations().children(room, parent.eventId(), relType, eventType, cursor, end, batch, false);
                for (RelationIndex.Child c : page) {
                    if (chunk.size() == limit) {
                        next = cursor;
                        break paging;
                    }
                    cursor = backward ? c.streamOrdering() - 1 : c.streamOrdering();
                    rooms.reader().event(c.eventId()).filter(viewer::canSee).ifPresent(chunk::add);
                }
                if (page.size() < batch) {
                    break;
                }
            }
        }
        JsonArrayBuilder events = Json.arrayBuilder();
        format.formatPage(chunk, who).forEach(events::add);
        JsonObjectBuilder out = Json.objectBuilder().add("chunk", events);
        if (next != null) {
            out.add("next_batch", RoomsRoutes.token(next));
        }
        from.ifPresent(f -> out.add("prev_batch", RoomsRoutes.token(f)));
        // Spec: recursion_depth is present exactly when the client sent recurse.
        recurse.ifPresent(r -> out.add("recursion_depth", r ? RelationIndex.RECURSION_DEPTH : 1));
        Reply.json(res, 200, out.build());
    }

    private void threads(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        String include = query(req, "include").orElse("all");
        if (!include.equals("all") && !include.equals("participated")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "include must be all or participated");
        }
        int limit = limit(req);
        long current = rooms.reader().currentPosition();
        long from = Math.min(query(req, "from").map(RoomsRoutes::token).orElse(current), current);
        // Spec, threads_list.yaml: 403 when the user cannot view or peek on the room.
        access.requireHistoryAccess(room, who);
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        UserId participant = include.equals("participated") ? who.userId() : null;
        List<StoredEvent> roots = new ArrayList<>();
        long cursor = from;
        Long next = null;
        paging:
        while (true) {
            int batch = Math.max(limit - roots.size(), 1) * 2;
            List<RelationIndex.Thread> page = rooms.relations().threads(room, participant, cursor, batch);
            for (RelationIndex.Thread t : page) {
                if (roots.size() == limit) {
                    next = cursor;
                    break paging;
                }
                cursor = t.latestPosition() - 1;
                rooms.reader().event(t.rootId())
                        .filter(e -> e.inTimeline() && Relation.validThreadRoot(e.pdu()))
                        .filter(viewer::canSee).ifPresent(roots::add);
            }
            if (page.size() < batch) {
                break;
            }
        }
        JsonArrayBuilder chunk = Json.arrayBuilder();
        format.formatPage(roots, who).forEach(chunk::add);
        JsonObjectBuilder out = Json.objectBuilder().add("chunk", chunk);
        if (next != null) {
            out.add("next_batch", RoomsRoutes.token(next));
        }
        Reply.json(res, 200, out.build());
    }

    private static boolean direction(ServerRequest req) {
        String dir = query(req, "dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "dir must be b or f");
        }
        return dir.equals("b");
    }

    static int limit(ServerRequest req) {
        String raw = query(req, "limit").orElse(null);
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit < 1) {
                throw new NumberFormatException();
            }
            return Math.min(limit, MAX_LIMIT);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be a positive integer");
        }
    }

    private static boolean bool(String raw) {
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "recurse must be true or false");
        };
    }
}
