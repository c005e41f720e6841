package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.hearth.core.delayed.DelayedEvent;
import org.hearth.core.delayed.DelayedEvents;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Delayed events (MSC4140), managed by their owner; mounted at /_matrix/client/unstable/org.matrix.msc4140 as
 * matrix-js-sdk and Synapse use them: {@code GET /delayed_events}, {@code POST /delayed_events/{delayId}} with
 * {@code {"action": "cancel"|"restart"|"send"}}, and the per-action {@code POST /delayed_events/{delayId}/{action}}.
 * Scheduling is a send or state PUT with {@code org.matrix.msc4140.delay} (RoomsRoutes). Unlike Synapse, which
 * lets anyone holding a delay ID manage it, every call needs the owner's access token, as the MSC now requires.
 */
public final class DelayedEventRoutes implements HttpService {
    /** The query parameter of {@code PUT .../send/...} and {@code PUT .../state/...} that delays the event (ms). */
    static final String DELAY_PARAM = "org.matrix.msc4140.delay";

    private final Authenticator auth;
    private final JsonBody body;
    private final DelayedEvents delayed;

    public DelayedEventRoutes(Authenticator auth, JsonBody body, DelayedEvents delayed) {
        this.auth = auth;
        this.body = body;
        this.delayed = delayed;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/delayed_events", this::list)
                .post("/delayed_events/{delayId}", this::update)
                .post("/delayed_events/{delayId}/{action}", this::updateByPath)
                .any("/delayed_events", MatrixErrors::wrongMethod)
                .any("/delayed_events/{delayId}", MatrixErrors::wrongMethod)
                .any("/delayed_events/{delayId}/{action}", MatrixErrors::wrongMethod);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        var out = Json.arrayBuilder();
        for (DelayedEvent e : delayed.list(who.userId())) {
            var item = Json.objectBuilder()
                    .add("delay_id", e.delayId())
                    .add("room_id", e.room().value())
                    .add("type", e.type());
            if (e.isState()) {
                item.add("state_key", e.stateKey());
            }
            // delay and running_since are what matrix-js-sdk and Synapse use; delay_ms and scheduled_at are the
            // MSC's later names for the same values.
            item.add("delay", e.delayMs())
                    .add("running_since", e.runningSince())
                    .add("delay_ms", e.delayMs())
                    .add("scheduled_at", e.runningSince())
                    .add("content", e.content());
            out.add(item);
        }
        Reply.json(res, 200, Json.objectBuilder().add("delayed_events", out).build());
    }

    private void update(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject b = body.read(req);
        JsonValue action = b.get("action");
        if (action == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "'action' is missing");
        }
        if (!(action instanceof JsonString s)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "'action' is not one of 'cancel', 'restart', 'send'");
        }
        apply(who, req.path().pathParameters().get("delayId"), s.getString(), res);
    }

    private void updateByPath(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String action = req.path().pathParameters().get("action");
        if (!action.equals("cancel") && !action.equals("restart") && !action.equals("send")) {
            throw new MatrixException(ErrorCode.UNRECOGNIZED, "Unrecognized request");
        }
        apply(who, req.path().pathParameters().get("delayId"), action, res);
    }

    private void apply(Requester who, String delayId, String action, ServerResponse res) {
        switch (action) {
            case "cancel" -> delayed.cancel(who.userId(), delayId);
            case "restart" -> delayed.restart(who.userId(), delayId);
            case "send" -> delayed.sendNow(who.userId(), delayId);
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM,
                    "'action' is not one of 'cancel', 'restart', 'send'");
        }
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    /**
     * A refused delay in the unstable shape matrix-js-sdk reads to retry with a shorter one (as Synapse answered
     * until 2026): 400 {@code M_UNKNOWN} with {@code org.matrix.msc4140.errcode} and, when over the maximum,
     * {@code org.matrix.msc4140.max_delay}.
     */
    static void refuse(ServerResponse res, DelayedEvents.DelayRefused e) {
        var b = Json.objectBuilder().add("errcode", ErrorCode.UNKNOWN.errcode()).add("error", e.getMessage())
                .add("org.matrix.msc4140.errcode", e.errcode());
        if (e.errcode().equals(DelayedEvents.DelayRefused.EXCEEDED)) {
            b.add("org.matrix.msc4140.max_delay", e.maxDelayMs());
        }
        Reply.json(res, 400, b.build());
    }
}
