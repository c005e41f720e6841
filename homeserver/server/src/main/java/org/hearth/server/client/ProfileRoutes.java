package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.profile.ProfileHandler;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec "Profiles" (v1.16 custom fields included); v3 and r0. Reading needs no token (servers may require one; Synapse does not by default). */
public final class ProfileRoutes implements HttpService {
    private final Authenticator auth;
    private final ProfileHandler profiles;
    private final JsonBody json;

    public ProfileRoutes(Authenticator auth, ProfileHandler profiles, JsonBody json) {
        this.auth = auth;
        this.profiles = profiles;
        this.json = json;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/profile/{userId}", this::profile)
                .any("/profile/{userId}", MatrixErrors::wrongMethod)
                .get("/profile/{userId}/{keyName}", this::field)
                .put("/profile/{userId}/{keyName}", this::setField)
                .delete("/profile/{userId}/{keyName}", this::deleteField)
                .any("/profile/{userId}/{keyName}", MatrixErrors::wrongMethod);
    }

    private void profile(ServerRequest req, ServerResponse res) {
        Reply.json(res, 200, profiles.all(target(req)));
    }

    private void field(ServerRequest req, ServerResponse res) {
        String key = key(req);
        JsonValue value = profiles.field(target(req), key);
        Reply.json(res, 200, Json.objectBuilder().add(key, value).build());
    }

    /** Spec: the body holds the field under its own key ({@code M_MISSING_PARAM} otherwise). */
    private void setField(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId target = target(req);
        String key = key(req);
        JsonObject body = json.read(req);
        if (!body.containsKey(key)) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "The body has no " + key);
        }
        profiles.setField(who.userId(), target, key, body.get(key));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void deleteField(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        profiles.deleteField(who.userId(), target(req), key(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static String key(ServerRequest req) {
        return req.path().pathParameters().get("keyName");
    }

    private static UserId target(ServerRequest req) {
        return UserId.parse(req.path().pathParameters().get("userId"));
    }
}
