package org.hearth.server.plugins;

import jakarta.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hearth.core.account.AccountHandler;
import org.hearth.core.plugin.PluginStorage;
import org.hearth.core.profile.ProfileHandler;
import org.hearth.core.room.EventDraft;
import org.hearth.core.room.Membership;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.sync.AccountDataStream;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.KeyValueStore;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.event.StateKey;

/** One plugin's view of the server: the core's handlers behind the plugin API's types (strings and JSON). */
public final class HostedHomeserver implements Homeserver {
    private final String pluginId;
    private final ServerName serverName;
    private final JsonObject config;
    private final Rooms rooms;
    private final AccountHandler accounts;
    private final ProfileHandler profiles;
    private final AccountDataStream accountData;
    private final KeyValueStore store;
    private final org.hearth.plugin.api.PluginDatabase database;
    private final org.hearth.core.media.ContentRepository media;
    private final org.hearth.core.room.RoomCreation creation;
    private final PluginStorage storage;
    private final DeclaredPermissions permissions;
    private final org.hearth.core.push.PushGatewaySender pushes;
    private volatile org.hearth.core.sync.ReceiptStream receipts;
    private volatile org.hearth.core.account.OpenIdTokens openIdTokens;
    private volatile java.util.function.BiFunction<String, String, Optional<String>> remoteOpenId;

    public HostedHomeserver(String pluginId, ServerName serverName, JsonObject config, Rooms rooms, AccountHandler accounts,
                     ProfileHandler profiles, AccountDataStream accountData, PluginStorage storage,
                     org.hearth.plugin.api.PluginDatabase database, org.hearth.core.media.ContentRepository media,
                     org.hearth.spec.room.RoomVersion defaultRoomVersion) {
        this(pluginId, serverName, config, rooms, accounts, profiles, accountData, storage, database, media,
                defaultRoomVersion, new DeclaredPermissions(), null);
    }

    /**
     * @param permissions what the plugin declared (read at its load): acting as a user outside it is refused
     * @param pushes where {@link #pushNotification} queues pushes (null: none, it refuses)
     */
    public HostedHomeserver(String pluginId, ServerName serverName, JsonObject config, Rooms rooms, AccountHandler accounts,
                     ProfileHandler profiles, AccountDataStream accountData, PluginStorage storage,
                     org.hearth.plugin.api.PluginDatabase database, org.hearth.core.media.ContentRepository media,
                     org.hearth.spec.room.RoomVersion defaultRoomVersion, DeclaredPermissions permissions,
                     org.hearth.core.push.PushGatewaySender pushes) {
        this.pushes = pushes;
        this.storage = storage;
        this.permissions = permissions;
        this.database = database;
        this.media = media;
        this.creation = new org.hearth.core.room.RoomCreation(rooms, serverName, defaultRoomVersion);
        this.pluginId = pluginId;
        this.serverName = serverName;
        this.config = config;
        this.rooms = rooms;
        this.accounts = accounts;
        this.profiles = profiles;
        this.accountData = accountData;
        this.store = new Store(pluginId, storage);
    }

    @Override
    public String serverName() {
        return serverName.value();
    }

    @Override
    public JsonObject config() {
        return config;
    }

    @Override
    public KeyValueStore store() {
        return store;
    }

    @Override
    public boolean roomExists(String roomId) {
        return RoomId.tryParse(roomId).flatMap(rooms.reader()::room).isPresent();
    }

    @Override
    public Optional<String> roomIdForAlias(String alias) {
        return org.hearth.spec.id.RoomAlias.tryParse(alias).filter(a -> a.serverName().equals(serverName))
                .flatMap(rooms.aliases()::resolve).map(e -> e.roomId().value());
    }

    @Override
    public Optional<JsonObject> state(String roomId, String type, String stateKey) {
        return rooms.reader().currentStateEvent(room(roomId), type, stateKey).map(e -> e.pdu().content());
    }

    @Override
    public Optional<String> membership(String roomId, String userId) {
        return rooms.reader().membership(room(roomId), user(userId)).map(Membership::membership);
    }

    @Override
    public List<String> joinedMembers(String roomId) {
        return rooms.reader().members(room(roomId)).stream().filter(m -> m.membership().equals(Membership.JOIN))
                .map(Membership::userId).toList();
    }

    private PowerLevels powerLevels(RoomId room) {
        var version = rooms.reader().version(room).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND,
                "Unknown room " + room.value()));
        Map<StateKey, Pdu> state = new HashMap<>();
        rooms.reader().currentState(room).forEach((key, event) -> state.put(key, event.pdu()));
        return PowerLevels.fromState(version, state);
    }

    @Override
    public long powerLevel(String roomId, String userId) {
        return powerLevels(room(roomId)).userLevel(user(userId).value());
    }

    @Override
    public boolean maySendState(String roomId, String userId, String type) {
        PowerLevels levels = powerLevels(room(roomId));
        return levels.userLevel(user(userId).value()) >= levels.requiredLevel(type, true);
    }

    @Override
    public String sendEvent(String roomId, String asUser, String type, JsonObject content) {
        return rooms.engine().send(room(roomId), actingAs(asUser), new EventDraft(type, null, content, null), null).eventId();
    }

    @Override
    public String sendState(String roomId, String asUser, String type, String stateKey, JsonObject content) {
        return rooms.engine().send(room(roomId), actingAs(asUser), EventDraft.state(type, stateKey, content), null).eventId();
    }

    @Override
    public void invite(String roomId, String inviter, String invitee) {
        UserId target = user(invitee);
        rooms.engine().send(room(roomId), actingAs(inviter), EventDraft.state("m.room.member", target.value(),
                rooms.memberProfiles().content(target, Membership.INVITE, null)), null);
    }

    @Override
    public void join(String roomId, String userId) {
        UserId user = actingAs(userId);
        rooms.engine().send(room(roomId), user, EventDraft.state("m.room.member", user.value(),
                rooms.memberProfiles().content(user, Membership.JOIN, null)), null);
    }

    @Override
    public String botUser(String localpart) {
        if (!localpart.startsWith(pluginId)) {
            throw new IllegalArgumentException("a bot's localpart starts with the plugin ID " + pluginId);
        }
        UserId bot = UserId.of(localpart, serverName);
        if (accounts.account(bot).isEmpty()) {
            try {
                // A random password nobody holds: the bot acts only through its plugin.
                accounts.registerAdministratively(localpart, UUID.randomUUID() + "-" + UUID.randomUUID(), false,
                        "bot", null);
            } catch (MatrixException e) {
                if (accounts.account(bot).isEmpty()) {
                    throw e;
                }
            }
        }
        return bot.value();
    }

    @Override
    public Optional<JsonObject> accountData(String userId, String type) {
        return accountData.find(local(userId), Optional.empty(), type);
    }

    @Override
    public void setAccountData(String userId, String type, JsonObject content) {
        accountData.put(actingAs(userId), Optional.empty(), type, content);
    }

    @Override
    public Optional<JsonObject> profile(String userId) {
        try {
            var profile = profiles.get(user(userId));
            var out = Json.objectBuilder();
            if (profile.displayName() != null) {
                out.add("displayname", profile.displayName());
            }
            if (profile.avatarUrl() != null) {
                out.add("avatar_url", profile.avatarUrl());
            }
            return Optional.of(out.build());
        } catch (MatrixException e) {
            return Optional.empty();
        }
    }

    @Override
    public org.hearth.plugin.api.PluginDatabase database() {
        return database;
    }

    @Override
    public Optional<JsonObject> media(String mxcUri) {
        var parsed = java.util.regex.Pattern.compile("mxc://([^/]+)/([A-Za-z0-9_-]+)").matcher(mxcUri == null ? "" : mxcUri);
        if (!parsed.matches() || !parsed.group(1).equals(serverName.value())) {
            return Optional.empty();
        }
        try {
            var content = media.download(parsed.group(1), parsed.group(2), java.time.Duration.ZERO, true);
            try (var body = content.body()) {
                return Optional.of(Json.objectBuilder().add("content_type", content.contentType())
                        .add("size", content.length()).build());
            }
        } catch (MatrixException e) {
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Optional<byte[]> mediaContent(String mxcUri, long maxBytes) {
        var parsed = java.util.regex.Pattern.compile("mxc://([^/]+)/([A-Za-z0-9_-]+)").matcher(mxcUri == null ? "" : mxcUri);
        if (!parsed.matches() || !parsed.group(1).equals(serverName.value())) {
            return Optional.empty();
        }
        try {
            var content = media.download(parsed.group(1), parsed.group(2), java.time.Duration.ZERO, true);
            try (var body = content.body()) {
                if (content.length() > maxBytes) {
                    return Optional.empty();
                }
                return Optional.of(body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes)));
            }
        } catch (MatrixException e) {
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String createRoom(String asUser, JsonObject request) {
        return creation.create(actingAs(asUser), org.hearth.server.client.RoomsRoutes.parseCreate(request)).value();
    }

    @Override
    public String uploadMedia(String asUser, String contentType, String fileName, byte[] content) {
        return media.upload(actingAs(asUser), contentType, fileName, new java.io.ByteArrayInputStream(content));
    }

    @Override
    public String redact(String roomId, String asUser, String eventId, String reason) {
        var content = Json.objectBuilder();
        if (reason != null) {
            content.add("reason", reason);
        }
        return rooms.engine().send(room(roomId), actingAs(asUser),
                new EventDraft("m.room.redaction", null, content.build(), eventId), null).eventId();
    }

    @Override
    public List<org.hearth.plugin.api.ReadReceipt> readReceipts(String roomId) {
        return storage.readReceipts(room(roomId).value()).stream()
                .map(r -> new org.hearth.plugin.api.ReadReceipt(r.userId(), r.eventId(), r.threadId(), r.ts())).toList();
    }

    @Override
    public List<String> localUsers(String afterUserId, int limit) {
        return storage.localUsers(afterUserId == null ? "" : afterUserId, Math.max(0, Math.min(limit, 1000)));
    }

    /**
     * A local user the plugin may act as: one its declared {@code act-as} permissions match, or one of its own bots
     * (a {@code bot} account whose localpart starts with the plugin ID). A plugin that declared nothing may act as
     * any local user (0.2.0 behaviour).
     */
    private UserId actingAs(String userId) {
        UserId user = local(userId);
        var declared = permissions.of(pluginId);
        if (declared.isEmpty() || declared.get().mayActAs(user.localpart())) {
            return user;
        }
        if (user.localpart().startsWith(pluginId)
                && accounts.account(user).map(a -> "bot".equals(a.userType())).orElse(false)) {
            return user;
        }
        throw new MatrixException(ErrorCode.FORBIDDEN, "Plugin " + pluginId + " may not act as " + user.value()
                + ": it declared " + (declared.get().actAs().isEmpty() ? "no act-as permission" : declared.get())
                + " (Plugin-Permissions: act-as:" + user.localpart() + " would allow it)");
    }

    @Override
    public int pushNotification(String userId, String roomId, String eventId) {
        UserId user = user(userId);
        RoomId room = room(roomId);
        if (!serverName.equals(user.serverName())) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Only local users have pushers: " + userId);
        }
        var event = rooms.reader().event(eventId).filter(e -> e.roomId().equals(room.value()))
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No event " + eventId + " in " + roomId));
        boolean joined = rooms.reader().membership(room, user).map(m -> m.membership().equals(Membership.JOIN))
                .orElse(false);
        if (!joined) {
            throw new MatrixException(ErrorCode.FORBIDDEN, userId + " is not joined to " + roomId);
        }
        if (pushes == null) {
            throw new UnsupportedOperationException("this server pushes nothing for plugins");
        }
        return pushes.send(List.of(new org.hearth.core.push.PushActions.Notified(user, room, eventId,
                event.streamOrdering(), List.of(org.hearth.spec.push.PushAction.NOTIFY,
                        org.hearth.spec.push.PushAction.sound("default")), false)));
    }

    /** Where {@link #openIdUser} looks tokens up (set at wiring; without it, it refuses). */
    public HostedHomeserver useOpenIdTokens(org.hearth.core.account.OpenIdTokens tokens) {
        return useOpenIdTokens(tokens, (server, token) -> Optional.empty());
    }

    /** @param remote asks another server whose a token is (its federation {@code openid/userinfo}) */
    public HostedHomeserver useOpenIdTokens(org.hearth.core.account.OpenIdTokens tokens,
                                            java.util.function.BiFunction<String, String, Optional<String>> remote) {
        this.openIdTokens = tokens;
        this.remoteOpenId = remote;
        return this;
    }

    @Override
    public Optional<String> openIdUser(String matrixServerName, String accessToken) {
        if (serverName.value().equals(matrixServerName)) {
            return openIdUser(accessToken);
        }
        var remote = remoteOpenId;
        if (remote == null || accessToken == null || accessToken.isEmpty()) {
            return Optional.empty();
        }
        return remote.apply(matrixServerName, accessToken);
    }

    @Override
    public Optional<String> openIdUser(String accessToken) {
        var tokens = openIdTokens;
        if (tokens == null) {
            throw new UnsupportedOperationException("this server validates no OpenID tokens for plugins");
        }
        return accessToken == null || accessToken.isEmpty() ? Optional.empty()
                : tokens.user(accessToken).map(UserId::value);
    }

    /** Where {@link #sendReceipt} posts (set at wiring; without it, it refuses). */
    public HostedHomeserver useReceipts(org.hearth.core.sync.ReceiptStream receipts) {
        this.receipts = receipts;
        return this;
    }

    @Override
    public void sendReceipt(String roomId, String asUser, String receiptType, String eventId) {
        var stream = receipts;
        if (stream == null) {
            throw new UnsupportedOperationException("this server posts no receipts for plugins");
        }
        org.hearth.spec.id.EventId event = org.hearth.spec.id.EventId.tryParse(eventId).orElseThrow(() ->
                new MatrixException(ErrorCode.INVALID_PARAM, "Not an event ID: " + eventId));
        stream.extensionReceipt(actingAs(asUser), room(roomId), receiptType, event);
    }

    private static RoomId room(String roomId) {
        return RoomId.tryParse(roomId).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + roomId));
    }

    private static UserId user(String userId) {
        return UserId.tryParse(userId).orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM,
                "Not a user ID: " + userId));
    }

    private UserId local(String userId) {
        UserId user = user(userId);
        if (!user.serverName().equals(serverName)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Plugins act only as users of this server");
        }
        return user;
    }

    private record Store(String pluginId, PluginStorage storage) implements KeyValueStore {
        private static final int MAX_KEY = 255;

        @Override
        public Optional<JsonObject> get(String key) {
            return storage.get(pluginId, checked(key)).map(text -> Json.parse(text).asJsonObject());
        }

        @Override
        public void put(String key, JsonObject value) {
            storage.put(pluginId, checked(key), value.toString());
        }

        @Override
        public boolean delete(String key) {
            return storage.delete(pluginId, checked(key));
        }

        @Override
        public boolean replace(String key, JsonObject expected, JsonObject value) {
            return storage.replace(pluginId, checked(key), expected.toString(), value.toString());
        }

        @Override
        public Map<String, JsonObject> list(String prefix, int limit) {
            Map<String, JsonObject> out = new LinkedHashMap<>();
            storage.list(pluginId, prefix, Math.max(0, limit)).forEach((k, v) -> out.put(k, Json.parse(v).asJsonObject()));
            return out;
        }

        private static String checked(String key) {
            if (key.isEmpty() || key.length() > MAX_KEY) {
                throw new IllegalArgumentException("store keys are 1 to " + MAX_KEY + " characters");
            }
            return key;
        }
    }
}
