package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.profile.Profile;
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

/** Spec "Profiles"; v3 and r0. Reading needs no token (servers may require one; Synapse does not by default). */
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
                .get("/profile/{userId}/displayname", this::displayName)
                .put("/profile/{userId}/displayname", this::setDisplayName)
                .any("/profile/{userId}/displayname", MatrixErrors::wrongMethod)
                .get("/profile/{userId}/avatar_url", this::avatarUrl)
                .put("/profile/{userId}/avatar_url", this::setAvatarUrl)
                .any("/profile/{userId}/avatar_url", MatrixErrors::wrongMethod);
    }

    private void profile(ServerRequest req, ServerResponse res) {
        Profile p = profiles.get(target(req));
        var body = Json.objectBuilder();
        if (p.displayName() != null) {
            body.add("displayname", p.displayName());
        }
        if (p.avatarUrl() != null) {
            body.add("avatar_url", p.avatarUrl());
        }
        Reply.json(res, 200, body.build());
    }

    private void displayName(ServerRequest req, ServerResponse res) {
        Profile p = profiles.get(target(req));
        if (p.displayName() == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No display name set");
        }
        Reply.json(res, 200, Json.objectBuilder().add("displayname", p.displayName()).build());
    }

    private void avatarUrl(ServerRequest req, ServerResponse res) {
        Profile p = profiles.get(target(req));
        if (p.avatarUrl() == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No avatar URL set");
        }
        Reply.json(res, 200, Json.objectBuilder().add("avatar_url", p.avatarUrl()).build());
    }

    private void setDisplayName(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId target = target(req);
        JsonObject body = json.read(req);
        profiles.setDisplayName(who.userId(), target, Json.optionalString(body, "displayname").orElse(null));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void setAvatarUrl(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId target = target(req);
        JsonObject body = json.read(req);
        profiles.setAvatarUrl(who.userId(), target, Json.optionalString(body, "avatar_url").orElse(null));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static UserId target(ServerRequest req) {
        return UserId.parse(req.path().pathParameters().get("userId"));
    }
}
