package org.hearth.server.client;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** Registering an endpoint under /_matrix/client at v3 and, where it existed there, r0; and common path checks. */
final class ClientPaths {
    static final List<String> V3_AND_R0 = List.of("/v3", "/r0");

    private ClientPaths() {}

    record Endpoint(Method method, Handler handler) {}

    static Endpoint on(Method method, Handler handler) {
        return new Endpoint(method, handler);
    }

    /** One path with its methods at v3 and r0; other methods answer 405 M_UNRECOGNIZED. */
    static void route(HttpRules rules, String path, Endpoint... endpoints) {
        for (String version : V3_AND_R0) {
            for (Endpoint e : endpoints) {
                rules.route(e.method(), version + path, e.handler());
            }
            rules.any(version + path, MatrixErrors::wrongMethod);
        }
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** The {@code userId} of the path, which must be the requester's own (403 M_FORBIDDEN otherwise). */
    static UserId ownUser(ServerRequest req, Requester who, String what) {
        UserId target = UserId.parse(param(req, "userId"));
        if (!target.equals(who.userId())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Cannot " + what + " for another user");
        }
        return target;
    }

    static RoomId room(ServerRequest req) {
        return RoomId.parse(param(req, "roomId"));
    }

    static String query(ServerRequest req, String name) {
        return req.query().contains(name) ? req.query().get(name) : null;
    }
}
