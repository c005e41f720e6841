package org.hearth.server.admin;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.hearth.core.report.ContentReports;
import org.hearth.core.report.EventReport;
import org.hearth.core.room.RoomReader;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/** Synapse admin API "Event Reports" ({@code /_synapse/admin/v1/event_reports}); server admins only. */
public final class EventReportRoutes implements HttpService {
    private static final int DEFAULT_LIMIT = 100;

    private final Authenticator auth;
    private final ContentReports reports;
    private final RoomReader rooms;

    public EventReportRoutes(Authenticator auth, ContentReports reports, RoomReader rooms) {
        this.auth = auth;
        this.reports = reports;
        this.rooms = rooms;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/event_reports", this::list)
                .any("/event_reports", MatrixErrors::wrongMethod)
                .get("/event_reports/{reportId}", this::get)
                .delete("/event_reports/{reportId}", this::delete)
                .any("/event_reports/{reportId}", MatrixErrors::wrongMethod);
    }

    private void requireAdmin(ServerRequest req) {
        if (!auth.require(req).admin()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a server admin");
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        long from = nonNegative(req, "from", 0);
        long limit = nonNegative(req, "limit", DEFAULT_LIMIT);
        String dir = req.query().first("dir").asOptional().orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "dir must be 'f' or 'b'");
        }
        var filter = new ContentReports.Filter(query(req, "user_id"), query(req, "room_id"), query(req, "sender_user_id"));
        var page = reports.eventReports(filter, from, (int) Math.min(limit, Integer.MAX_VALUE), dir.equals("b"));
        var array = Json.arrayBuilder();
        page.reports().forEach(r -> array.add(render(r)));
        JsonObjectBuilder body = Json.objectBuilder().add("event_reports", array).add("total", page.total());
        // As Synapse: a next_token while rows remain past this page.
        if (from + limit < page.total()) {
            body.add("next_token", from + page.reports().size());
        }
        Reply.json(res, 200, body.build());
    }

    private void get(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        EventReport report = reports.eventReport(reportId(req))
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Event report not found"));
        JsonObjectBuilder body = render(report);
        rooms.event(report.eventId()).ifPresentOrElse(e -> body.add("event_json", e.pdu().json()),
                () -> body.addNull("event_json"));
        Reply.json(res, 200, body.build());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        reports.deleteEventReport(reportId(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private JsonObjectBuilder render(EventReport r) {
        var o = Json.objectBuilder().add("id", r.id()).add("received_ts", r.receivedTs()).add("room_id", r.roomId())
                .add("event_id", r.eventId()).add("user_id", r.userId()).add("sender", r.sender());
        nullable(o, "reason", r.reason());
        if (r.score() == null) {
            o.addNull("score");
        } else {
            o.add("score", r.score());
        }
        RoomId room = RoomId.parse(r.roomId());
        nullable(o, "name", stateString(room, "m.room.name", "name"));
        nullable(o, "canonical_alias", stateString(room, "m.room.canonical_alias", "alias"));
        return o;
    }

    private String stateString(RoomId room, String type, String key) {
        return rooms.currentStateEvent(room, type, "").map(e -> e.pdu().content().get(key))
                .filter(v -> v instanceof jakarta.json.JsonString).map(v -> ((jakarta.json.JsonString) v).getString())
                .orElse(null);
    }

    private static void nullable(JsonObjectBuilder o, String key, String value) {
        if (value == null) {
            o.addNull(key);
        } else {
            o.add(key, value);
        }
    }

    private static String query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().orElse(null);
    }

    private static long nonNegative(ServerRequest req, String name, long fallback) {
        Optional<String> raw = req.query().first(name).asOptional();
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            long v = Long.parseLong(raw.get());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, name + " must be a non-negative integer");
    }

    private static long reportId(ServerRequest req) {
        String raw = req.path().pathParameters().get("reportId");
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "The report ID must be a positive integer");
    }
}
