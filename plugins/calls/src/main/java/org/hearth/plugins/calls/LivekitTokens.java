package org.hearth.plugins.calls;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.Optional;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginDatabase;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes.Route;
import org.hearth.plugin.api.PublicRoutes;
import org.hearth.plugin.api.RtcFocus;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * MSC4195's LiveKit token service, minted by Hearth itself so no separate lk-jwt-service is needed: a client
 * exchanges an OpenID token of this server ({@code POST /user/{userId}/openid/request_token}) for a LiveKit access
 * token at {@code POST /_hearth/plugins/calls/public/livekit/sfu/get} (legacy: {@code room}, {@code device_id}) or
 * {@code .../livekit/get_token} (Matrix 2.0: {@code room_id}, {@code slot_id}, {@code member}), answered
 * {@code {url, jwt}} as lk-jwt-service answers. Unauthenticated: the OpenID token is the proof. The server
 * advertises the service in {@code rtc_foci} and {@code rtc/transports} when {@code plugin_config.calls.livekit.url},
 * {@code .api_key} and {@code .api_secret} are set.
 *
 * <p>Beyond lk-jwt-service (which cannot see rooms), the caller must be joined to the Matrix room, and a call that
 * already has {@code max_participants} other users is refused: the limit holds even for a client that skips the
 * membership event.
 */
@Extension
public class LivekitTokens implements PublicRoutes, RtcFocus {
    static final String PATH = "/livekit";
    private static final long LIFETIME_SECONDS = 3600; // as lk-jwt-service

    private final Homeserver homeserver;
    private final PluginDatabase db;
    private final Optional<Settings> settings;
    private final int maxParticipants;

    record Settings(String url, String apiKey, String apiSecret) {}

    public LivekitTokens(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.db = homeserver.database();
        this.settings = settings(homeserver.config());
        this.maxParticipants = RtcParticipants.maxParticipants(homeserver.config());
    }

    /** The {@code livekit} section: all three keys, or none (then the service is off); half a section refuses the load. */
    static Optional<Settings> settings(JsonObject config) {
        if (!(config.get("livekit") instanceof JsonObject section)) {
            return Optional.empty();
        }
        String url = section.getString("url", "").strip();
        String key = section.getString("api_key", "").strip();
        String secret = section.getString("api_secret", "").strip();
        if (url.isEmpty() && key.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (url.isEmpty() || key.isEmpty() || secret.isEmpty()) {
            throw new IllegalArgumentException("plugin_config.calls.livekit needs url, api_key and api_secret");
        }
        return Optional.of(new Settings(url, key, secret));
    }

    @Override
    public Optional<String> livekitServicePath() {
        return settings.map(s -> PATH);
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.post(PATH + "/sfu/get", this::legacy), Route.post(PATH + "/get_token", this::getToken));
    }

    private PluginResponse legacy(PluginRequest request) {
        Settings on = configured();
        JsonObject body = body(request);
        String room = string(body, "room").orElseThrow(() -> badJson("Missing room parameter"));
        String user = openIdUser(body);
        String device = string(body, "device_id").orElse("");
        return answer(on, room, user, LivekitAccessToken.roomAlias(room, LivekitAccessToken.LEGACY_SLOT),
                user + ":" + device);
    }

    private PluginResponse getToken(PluginRequest request) {
        Settings on = configured();
        JsonObject body = body(request);
        Optional<String> room = string(body, "room_id");
        Optional<String> slot = string(body, "slot_id");
        if (room.isEmpty() || slot.isEmpty()) {
            throw badJson("The request body is missing `room_id` or `slot_id`");
        }
        JsonObject member = body.get("member") instanceof JsonObject m ? m : Json.objectBuilder().build();
        Optional<String> memberId = string(member, "id");
        Optional<String> claimedUser = string(member, "claimed_user_id");
        Optional<String> claimedDevice = string(member, "claimed_device_id");
        if (memberId.isEmpty() || claimedUser.isEmpty() || claimedDevice.isEmpty()) {
            throw badJson("The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`");
        }
        String user = openIdUser(body);
        if (!user.equals(claimedUser.get())) {
            throw unauthorised();
        }
        return answer(on, room.get(), user, LivekitAccessToken.roomAlias(room.get(), slot.get()),
                LivekitAccessToken.identity(user, claimedDevice.get(), memberId.get()));
    }

    private PluginResponse answer(Settings on, String matrixRoom, String user, String livekitRoom, String identity) {
        if (homeserver.membership(matrixRoom, user).filter("join"::equals).isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a member of this room");
        }
        long others = ((Number) db.query("SELECT COUNT(DISTINCT user_id) AS n FROM plugin_calls_rtc_members"
                + " WHERE room_id = ? AND user_id <> ?", matrixRoom, user).getFirst().get("n")).longValue();
        if (others >= maxParticipants) {
            throw new MatrixException(ErrorCode.FORBIDDEN,
                    "This call is full: it has the maximum of " + maxParticipants + " participants");
        }
        long now = System.currentTimeMillis() / 1000;
        String jwt = new LivekitAccessToken(on.apiKey(), livekitRoom, identity, user, now, now + LIFETIME_SECONDS)
                .sign(on.apiSecret());
        return PluginResponse.ok(Json.objectBuilder().add("url", on.url()).add("jwt", jwt).build());
    }

    private Settings configured() {
        return settings.orElseThrow(() -> new MatrixException(ErrorCode.UNRECOGNIZED,
                "No LiveKit service is configured on this server"));
    }

    private static JsonObject body(PluginRequest request) {
        return request.body().orElseThrow(() -> new MatrixException(ErrorCode.NOT_JSON, "Error reading request"));
    }

    /**
     * The OpenID token's user: this server's tokens checked locally, another server's by asking its federation
     * {@code openid/userinfo}, as lk-jwt-service does. Any failure is lk-jwt-service's 401.
     */
    private String openIdUser(JsonObject body) {
        JsonObject token = body.get("openid_token") instanceof JsonObject t ? t : Json.objectBuilder().build();
        Optional<String> access = string(token, "access_token");
        Optional<String> server = string(token, "matrix_server_name");
        if (access.isEmpty() || server.isEmpty()) {
            throw badJson("Missing OpenID token parameters");
        }
        return homeserver.openIdUser(server.get(), access.get()).orElseThrow(LivekitTokens::unauthorised);
    }

    private static MatrixException unauthorised() {
        return new MatrixException(ErrorCode.UNAUTHORIZED, "The request could not be authorised.");
    }

    private static MatrixException badJson(String message) {
        return new MatrixException(ErrorCode.BAD_JSON, message);
    }

    private static Optional<String> string(JsonObject object, String key) {
        return object.get(key) instanceof JsonString s && !s.getString().isEmpty() ? Optional.of(s.getString())
                : Optional.empty();
    }
}
