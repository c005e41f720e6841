package org.hearth.core.push;

import io.helidon.dbclient.DbRow;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Pushers (spec: "Push notifications", GET /pushers and POST /pushers/set), stored in {@code pushers} and held
 * in memory by user (as Synapse's pusher pool does), so the hot path asks "does this user have pushers"
 * without a query. A pusher belongs to the device whose token set it and goes with it.
 */
public final class Pushers {
    /** Spec, pusher.yaml: an HTTP pusher's URL path. */
    public static final String NOTIFY_PATH = "/_matrix/push/v1/notify";
    public static final String HTTP = "http";
    public static final String EMAIL = "email";
    private static final int MAX_APP_ID_CHARS = 64;
    private static final int MAX_PUSHKEY_BYTES = 512;

    private final Database database;
    private final Clock clock;
    private final ConcurrentHashMap<UserId, List<Pusher>> byUser = new ConcurrentHashMap<>();

    public record Pusher(long id, UserId user, String deviceId, String kind, String appId, String pushkey,
                         String appDisplayName, String deviceDisplayName, String profileTag, String lang,
                         JsonObject data, long pushkeyTs) {
        /** Spec, pusher.yaml: the Pusher object of GET /pushers. */
        public JsonObject toJson() {
            var b = Json.objectBuilder().add("pushkey", pushkey).add("kind", kind).add("app_id", appId)
                    .add("app_display_name", appDisplayName).add("device_display_name", deviceDisplayName)
                    .add("lang", lang).add("data", data);
            if (profileTag != null) {
                b.add("profile_tag", profileTag);
            }
            return b.build();
        }
    }

    public Pushers(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        database.execute().createNamedQuery("notifications-pushers-all").execute()
                .forEach(row -> {
                    Pusher p = pusher(row);
                    byUser.computeIfAbsent(p.user(), u -> new ArrayList<>()).add(p);
                });
        byUser.replaceAll((u, list) -> List.copyOf(list));
    }

    public boolean hasPushers(UserId user) {
        return byUser.containsKey(user);
    }

    public List<Pusher> of(UserId user) {
        return byUser.getOrDefault(user, List.of());
    }

    /**
     * POST /pushers/set: {@code kind} null deletes the user's pusher with this app ID and pushkey; otherwise it
     * is created or updated, and unless {@code append} the same app ID and pushkey of other users are removed.
     */
    public void set(UserId user, String deviceId, JsonObject body) {
        String appId = Json.requiredString(body, "app_id");
        String pushkey = Json.requiredString(body, "pushkey");
        if (!body.containsKey("kind")) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "Missing parameters: kind");
        }
        if (appId.length() > MAX_APP_ID_CHARS) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "app_id is over " + MAX_APP_ID_CHARS + " characters");
        }
        if (pushkey.getBytes(StandardCharsets.UTF_8).length > MAX_PUSHKEY_BYTES) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "pushkey is over " + MAX_PUSHKEY_BYTES + " bytes");
        }
        String hash = sha256(pushkey);
        if (body.get("kind") == JsonValue.NULL) {
            database.execute().createNamedDelete("notifications-pusher-delete").addParam("user_id", user.value())
                    .addParam("app_id", appId).addParam("pushkey_sha256", hash).execute();
            reload(Set.of(user));
            return;
        }
        String kind = Json.requiredString(body, "kind");
        List<String> missing = new ArrayList<>();
        for (String key : List.of("app_display_name", "device_display_name", "lang", "data")) {
            if (!body.containsKey(key) || body.get(key) == JsonValue.NULL) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "Missing parameters: " + String.join(", ", missing));
        }
        String appName = Json.requiredString(body, "app_display_name");
        String deviceName = Json.requiredString(body, "device_display_name");
        String lang = Json.requiredString(body, "lang");
        JsonObject data = Json.requiredObject(body, "data");
        Optional<String> profileTag = Json.optionalString(body, "profile_tag");
        boolean append = switch (body.getOrDefault("append", JsonValue.FALSE).getValueType()) {
            case TRUE -> true;
            case FALSE, NULL -> false;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "'append' must be a boolean");
        };
        switch (kind) {
            case HTTP -> checkUrl(data);
            // Synapse sends to an email pusher only an address bound to the account; Hearth binds none.
            case EMAIL -> throw new MatrixException(ErrorCode.THREEPID_NOT_FOUND, "Email not found");
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "Unknown pusher kind " + kind);
        }
        Set<UserId> affected = new LinkedHashSet<>();
        affected.add(user);
        database.transaction(tx -> {
            if (!append) {
                tx.createNamedQuery("notifications-pushers-users-of-pushkey").addParam("app_id", appId)
                        .addParam("pushkey_sha256", hash).execute()
                        .forEach(row -> affected.add(UserId.parse(row.column("user_id").get(String.class))));
                tx.createNamedDelete("notifications-pusher-delete-other-users").addParam("app_id", appId)
                        .addParam("pushkey_sha256", hash).addParam("user_id", user.value()).execute();
            }
            tx.createNamedInsert("notifications-pusher-upsert").addParam("user_id", user.value())
                    .addParam("device_id", deviceId).addParam("kind", kind).addParam("app_id", appId)
                    .addParam("pushkey", pushkey).addParam("pushkey_sha256", hash)
                    .addParam("app_display_name", appName).addParam("device_display_name", deviceName)
                    .addParam("profile_tag", profileTag.orElse(null)).addParam("lang", lang)
                    .addParam("data", data.toString()).addParam("pushkey_ts", clock.millis()).execute();
            return null;
        });
        reload(affected);
    }

    /** After a device of {@code user} was deleted (logout, deletion): the pushers its tokens set go too. */
    public void devicesChanged(UserId user) {
        long deleted = database.execute().createNamedDelete("notifications-pushers-delete-orphans")
                .addParam("user_id", user.value()).execute();
        if (deleted > 0) {
            reload(Set.of(user));
        }
    }

    /** The push gateway rejected this pushkey (spec: push gateway {@code rejected}): the pusher is removed. */
    public void rejected(UserId user, String appId, String pushkey) {
        database.execute().createNamedDelete("notifications-pusher-delete").addParam("user_id", user.value())
                .addParam("app_id", appId).addParam("pushkey_sha256", sha256(pushkey)).execute();
        reload(Set.of(user));
    }

    private void reload(Set<UserId> users) {
        for (UserId user : users) {
            List<Pusher> list = new ArrayList<>();
            database.execute().createNamedQuery("notifications-pushers-of-user").addParam("user_id", user.value())
                    .execute().forEach(row -> list.add(pusher(row)));
            if (list.isEmpty()) {
                byUser.remove(user);
            } else {
                byUser.put(user, List.copyOf(list));
            }
        }
    }

    /** Spec, pusher.yaml: an HTTP pusher's {@code data.url} is required, with the path {@link #NOTIFY_PATH}. */
    private static void checkUrl(JsonObject data) {
        JsonValue url = data.get("url");
        if (url == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "Missing parameters: data.url");
        }
        if (!(url instanceof JsonString s)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "'url' must be a string");
        }
        try {
            URI uri = new URI(s.getString());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                    || uri.getHost() == null) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "'url' must be an http(s) URL");
            }
            if (!NOTIFY_PATH.equals(uri.getPath())) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "'url' must have a path of '" + NOTIFY_PATH + "'");
            }
        } catch (URISyntaxException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "'url' is not a URL");
        }
    }

    private static Pusher pusher(DbRow row) {
        String profileTag = row.column("profile_tag").asString().asOptional().orElse(null);
        return new Pusher(UnreadNotifications.number(row, "id"), UserId.parse(row.column("user_id").get(String.class)),
                row.column("device_id").asString().asOptional().orElse(null), row.column("kind").get(String.class),
                row.column("app_id").get(String.class), row.column("pushkey").get(String.class),
                row.column("app_display_name").get(String.class), row.column("device_display_name").get(String.class),
                profileTag, row.column("lang").get(String.class),
                Json.parseObject(row.column("data").get(String.class)), UnreadNotifications.number(row, "pushkey_ts"));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
