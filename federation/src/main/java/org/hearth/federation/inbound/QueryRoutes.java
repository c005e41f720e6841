package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashSet;
import java.util.Set;
import org.hearth.core.profile.Profile;
import org.hearth.core.profile.ProfileHandler;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomAliases;
import org.hearth.core.room.RoomReader;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Server-Server API, "Querying for information"; mounted at /_matrix/federation/v1. */
public final class QueryRoutes implements HttpService {
    private final FederationAuth auth;
    private final ProfileHandler profiles;
    private final RoomAliases aliases;
    private final RoomReader reader;
    private final String ownName;

    public QueryRoutes(FederationAuth auth, ProfileHandler profiles, RoomAliases aliases, RoomReader reader,
                       String ownName) {
        this.auth = auth;
        this.profiles = profiles;
        this.aliases = aliases;
        this.reader = reader;
        this.ownName = ownName;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/query/profile", auth.authenticated(this::profile))
                .any("/query/profile", FederationJson::wrongMethod)
                .get("/query/directory", auth.authenticated(this::directory))
                .any("/query/directory", FederationJson::wrongMethod)
                // Spec: queryInfo, any other query type is unknown here.
                .get("/query/{queryType}", auth.authenticated((req, res, request) -> {
                    throw new MatrixException(ErrorCode.UNRECOGNIZED, "Unknown query type "
                            + req.path().pathParameters().get("queryType"));
                }))
                .any("/query/{queryType}", FederationJson::wrongMethod);
    }

    private void profile(ServerRequest req, ServerResponse res, FederationRequest request) {
        String raw = req.query().first("user_id")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "user_id is required"));
        UserId user = UserId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Not a user ID: " + raw));
        if (!user.domain().equals(ownName)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "User " + user + " is not hosted on this server");
        }
        Profile profile = profiles.get(user); // M_NOT_FOUND for unknown users
        String field = req.query().first("field").orElse(null);
        var b = Json.objectBuilder();
        if ((field == null || field.equals("displayname")) && profile.displayName() != null) {
            b.add("displayname", profile.displayName());
        }
        if ((field == null || field.equals("avatar_url")) && profile.avatarUrl() != null) {
            b.add("avatar_url", profile.avatarUrl());
        }
        if (field != null && !field.equals("displayname") && !field.equals("avatar_url")) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Profile field " + field + " does not exist");
        }
        FederationJson.reply(res, b.build());
    }

    private void directory(ServerRequest req, ServerResponse res, FederationRequest request) {
        String raw = req.query().first("room_alias")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "room_alias is required"));
        RoomAlias alias;
        try {
            alias = RoomAlias.parse(raw);
        } catch (MatrixException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Not a room alias: " + raw);
        }
        var entry = aliases.resolve(alias)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room alias not found."));
        // Servers with joined members, this one first: the ones that can make a join happen.
        Set<String> servers = new LinkedHashSet<>();
        servers.add(ownName);
        for (Membership m : reader.members(entry.roomId())) {
            if (Membership.JOIN.equals(m.membership())) {
                servers.add(RoomAccess.domain(m.userId()));
            }
        }
        var list = Json.arrayBuilder();
        servers.forEach(list::add);
        FederationJson.reply(res, Json.objectBuilder().add("room_id", entry.roomId().value()).add("servers", list).build());
    }
}
