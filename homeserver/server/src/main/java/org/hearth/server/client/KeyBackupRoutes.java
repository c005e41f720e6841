package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.core.backup.RoomKeyBackups;
import org.hearth.core.backup.WrongBackupVersion;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.e2ee.KeyBackupData;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Server-side key backups" ({@code /room_keys/...}); mounted at /_matrix/client. */
public final class KeyBackupRoutes implements HttpService {
    // The key columns' width; longer IDs are refused rather than truncated.
    static final int MAX_ID_LENGTH = 255;

    private final Authenticator auth;
    private final JsonBody bodies;
    private final RoomKeyBackups backups;

    public KeyBackupRoutes(Authenticator auth, JsonBody bodies, RoomKeyBackups backups) {
        this.auth = auth;
        this.bodies = bodies;
        this.backups = backups;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/room_keys/version", on(Method.POST, this::createVersion), on(Method.GET, this::currentVersion));
        route(rules, "/room_keys/version/{version}", on(Method.GET, this::getVersion),
                on(Method.PUT, this::updateVersion), on(Method.DELETE, this::deleteVersion));
        route(rules, "/room_keys/keys", on(Method.GET, this::getKeys), on(Method.PUT, this::putKeys),
                on(Method.DELETE, this::deleteKeys));
        route(rules, "/room_keys/keys/{roomId}", on(Method.GET, this::getKeys), on(Method.PUT, this::putKeys),
                on(Method.DELETE, this::deleteKeys));
        // Session IDs are base64: a percent-encoded "/" arrives decoded, so the ID takes the rest of the path.
        route(rules, "/room_keys/keys/{roomId}/{+sessionId}", on(Method.GET, this::getKeys),
                on(Method.PUT, this::putKeys), on(Method.DELETE, this::deleteKeys));
    }

    private void createVersion(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject body = bodies.read(req);
        String version = backups.create(who.userId(), algorithm(body), Json.requiredObject(body, "auth_data"));
        Reply.json(res, 200, Json.objectBuilder().add("version", version).build());
    }

    private void currentVersion(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        Reply.json(res, 200, render(backups.current(who.userId())));
    }

    private void getVersion(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        Reply.json(res, 200, render(backups.get(who.userId(), param(req, "version"))));
    }

    private void updateVersion(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String version = param(req, "version");
        JsonObject body = bodies.read(req);
        String algorithm = algorithm(body);
        JsonObject authData = Json.requiredObject(body, "auth_data");
        if (Json.optionalString(body, "version").filter(v -> !v.equals(version)).isPresent()) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "version in the body does not match the path");
        }
        backups.update(who.userId(), version, algorithm, authData);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void deleteVersion(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        backups.delete(who.userId(), param(req, "version"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void getKeys(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String version = version(req);
        String room = roomParam(req);
        String session = sessionParam(req);
        var keys = backups.keys(who.userId(), version, room, session).rooms();
        if (session != null) {
            KeyBackupData key = keys.getOrDefault(room, Map.of()).get(session);
            if (key == null) {
                throw new MatrixException(ErrorCode.NOT_FOUND, "Key not found");
            }
            Reply.json(res, 200, key.toJson());
        } else if (room != null) {
            Reply.json(res, 200, sessions(keys.getOrDefault(room, Map.of())));
        } else {
            var rooms = Json.objectBuilder();
            keys.forEach((r, s) -> rooms.add(r, sessions(s)));
            Reply.json(res, 200, Json.objectBuilder().add("rooms", rooms).build());
        }
    }

    private void putKeys(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String version = version(req);
        String room = roomParam(req);
        String session = sessionParam(req);
        JsonObject body = bodies.read(req);
        Map<String, Map<String, KeyBackupData>> keys = new LinkedHashMap<>();
        if (session != null) {
            keys.put(room, Map.of(session, KeyBackupData.parse(body)));
        } else if (room != null) {
            keys.put(room, parseSessions(body));
        } else {
            Json.requiredObject(body, "rooms").forEach((r, value) -> {
                if (!(value instanceof JsonObject roomBody)) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "rooms." + r + " must be an object");
                }
                keys.put(checkedRoom(r), parseSessions(roomBody));
            });
        }
        try {
            Reply.json(res, 200, counts(backups.upload(who.userId(), version, new RoomKeyBackups.Keys(keys))));
        } catch (WrongBackupVersion e) {
            Reply.json(res, 403, Json.objectBuilder().add("errcode", ErrorCode.WRONG_ROOM_KEYS_VERSION.errcode())
                    .add("error", e.getMessage()).add("current_version", e.currentVersion()).build());
        }
    }

    private void deleteKeys(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String version = version(req);
        Reply.json(res, 200, counts(backups.deleteKeys(who.userId(), version, roomParam(req), sessionParam(req))));
    }

    private static String algorithm(JsonObject body) {
        String algorithm = Json.requiredString(body, "algorithm");
        if (algorithm.isEmpty() || algorithm.length() > MAX_ID_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "algorithm must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        return algorithm;
    }

    /** The required {@code version} query parameter; {@code M_MISSING_PARAM} without it. */
    private static String version(ServerRequest req) {
        String version = ClientPaths.query(req, "version");
        if (version == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "The version query parameter is required");
        }
        return version;
    }

    private static String roomParam(ServerRequest req) {
        String room = req.path().pathParameters().contains("roomId") ? param(req, "roomId") : null;
        return room == null ? null : checkedRoom(room);
    }

    private static String checkedRoom(String room) {
        if (room.length() > MAX_ID_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Room ID is over " + MAX_ID_LENGTH + " characters");
        }
        return RoomId.parse(room).value();
    }

    private static String sessionParam(ServerRequest req) {
        String session = req.path().pathParameters().contains("sessionId") ? param(req, "sessionId") : null;
        return session == null ? null : checkedSession(session);
    }

    private static String checkedSession(String session) {
        if (session.isEmpty() || session.length() > MAX_ID_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Session ID must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        return session;
    }

    private static Map<String, KeyBackupData> parseSessions(JsonObject roomBody) {
        Map<String, KeyBackupData> sessions = new LinkedHashMap<>();
        Json.requiredObject(roomBody, "sessions").forEach((s, value) -> {
            if (!(value instanceof JsonObject key)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "sessions." + s + " must be an object");
            }
            sessions.put(checkedSession(s), KeyBackupData.parse(key));
        });
        return sessions;
    }

    private static JsonObject sessions(Map<String, KeyBackupData> keys) {
        var sessions = Json.objectBuilder();
        keys.forEach((s, k) -> sessions.add(s, k.toJson()));
        return Json.objectBuilder().add("sessions", sessions).build();
    }

    private static JsonObject render(RoomKeyBackups.Version v) {
        return Json.objectBuilder().add("algorithm", v.algorithm()).add("auth_data", v.authData())
                .add("count", v.count()).add("etag", v.etag()).add("version", v.version()).build();
    }

    private static JsonObject counts(RoomKeyBackups.Counts c) {
        return Json.objectBuilder().add("etag", c.etag()).add("count", c.count()).build();
    }
}
