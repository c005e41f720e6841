package org.hearth.core.room;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/** {@code POST /createRoom} (spec: Client-Server API, "Creation"): the events a new room starts with, in order. */
public final class RoomCreation {
    private static final System.Logger LOG = System.getLogger(RoomCreation.class.getName());
    private final Rooms rooms;
    private final ServerName serverName;
    private final RoomVersion defaultVersion;

    public RoomCreation(Rooms rooms, ServerName serverName, RoomVersion defaultVersion) {
        this.rooms = rooms;
        this.serverName = serverName;
        this.defaultVersion = defaultVersion;
    }

    /** One entry of {@code initial_state}. */
    public record InitialState(String type, String stateKey, JsonObject content) {}

    /** The request body, validated at the edge. Null fields were absent. */
    public record Request(String visibility, String roomAliasName, String name, String topic, List<UserId> invite,
                          JsonObject creationContent, List<InitialState> initialState, String roomVersion,
                          String preset, boolean isDirect, JsonObject powerLevelContentOverride) {}

    public RoomId create(UserId creator, Request req) {
        RoomVersion version = defaultVersion;
        if (req.roomVersion() != null) {
            version = RoomVersion.find(req.roomVersion()).orElseThrow(() -> new MatrixException(
                    ErrorCode.UNSUPPORTED_ROOM_VERSION, "Room version " + req.roomVersion() + " is not supported"));
        }
        String preset = req.preset() != null ? req.preset()
                : "public".equals(req.visibility()) ? "public_chat" : "private_chat";
        if (!List.of("private_chat", "public_chat", "trusted_private_chat").contains(preset)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "Unknown preset " + preset);
        }
        boolean trusted = preset.equals("trusted_private_chat");
        Optional<RoomAlias> alias = Optional.empty();
        if (req.roomAliasName() != null) {
            try {
                alias = Optional.of(RoomAlias.of(req.roomAliasName(), serverName));
            } catch (RuntimeException e) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room_alias_name");
            }
            if (rooms.aliases().resolve(alias.get()).isPresent()) {
                throw new MatrixException(ErrorCode.ROOM_IN_USE, "Room alias " + alias.get().value() + " already exists");
            }
        }

        JsonObjectBuilder createContent = Json.objectBuilder(
                req.creationContent() != null ? req.creationContent() : JsonValue.EMPTY_JSON_OBJECT);
        createContent.add("room_version", version.id());
        if (version.implicitRoomCreator()) {
            createContent.remove("creator");
        } else {
            createContent.add("creator", creator.value());
        }
        if (trusted && version.privilegedCreators() && !req.invite().isEmpty()) {
            // v12: creators hold unlimited power outside power levels, so trusted invitees become creators.
            JsonArrayBuilder extra = Json.arrayBuilder();
            req.invite().forEach(u -> extra.add(u.value()));
            createContent.add("additional_creators", extra);
        }

        List<EventDraft> drafts = new ArrayList<>();
        drafts.add(EventDraft.state("m.room.member", creator.value(),
                rooms.memberProfiles().content(creator, Membership.JOIN, null)));
        drafts.add(EventDraft.state("m.room.power_levels", "", powerLevels(version, creator, req, preset)));
        alias.ifPresent(a -> drafts.add(EventDraft.state("m.room.canonical_alias", "",
                Json.objectBuilder().add("alias", a.value()).build())));
        drafts.add(EventDraft.state("m.room.join_rules", "",
                Json.objectBuilder().add("join_rule", preset.equals("public_chat") ? "public" : "invite").build()));
        drafts.add(EventDraft.state("m.room.history_visibility", "",
                Json.objectBuilder().add("history_visibility", "shared").build()));
        if (!preset.equals("public_chat")) {
            drafts.add(EventDraft.state("m.room.guest_access", "",
                    Json.objectBuilder().add("guest_access", "can_join").build()));
        }
        for (InitialState s : req.initialState()) {
            drafts.add(EventDraft.state(s.type(), s.stateKey(), s.content()));
        }
        if (req.name() != null) {
            drafts.add(EventDraft.state("m.room.name", "", Json.objectBuilder().add("name", req.name()).build()));
        }
        if (req.topic() != null) {
            drafts.add(EventDraft.state("m.room.topic", "", Json.objectBuilder().add("topic", req.topic()).build()));
        }
        JsonObjectBuilder inviteContent = Json.objectBuilder().add("membership", "invite");
        if (req.isDirect()) {
            inviteContent.add("is_direct", true);
        }
        JsonObject invite = inviteContent.build();
        // Another server's user is invited through their server (/invite signs the event there), once the room exists.
        List<UserId> remoteInvitees = req.invite().stream().filter(u -> !u.domain().equals(serverName.value())).toList();
        for (UserId invitee : req.invite()) {
            if (!remoteInvitees.contains(invitee)) {
                drafts.add(EventDraft.state("m.room.member", invitee.value(), invite));
            }
        }
        RoomId created = createWith(version, creator, createContent.build(), drafts, alias, req);
        for (UserId invitee : remoteInvitees) {
            try {
                rooms.remoteMembership().invite(created, creator, invitee, invite);
            } catch (RuntimeException e) {
                // The room exists and is the creator's: a peer that refuses or cannot be reached does not undo it.
                LOG.log(System.Logger.Level.WARNING, "createRoom " + created.value() + ": inviting " + invitee.value()
                        + " failed: " + e.getMessage());
            }
        }
        return created;
    }

    private RoomId createWith(RoomVersion version, UserId creator, JsonObject createContent, List<EventDraft> drafts,
                              Optional<RoomAlias> alias, Request req) {
        try {
            return rooms.engine().create(version, creator, createContent, drafts,
                    (tx, room) -> {
                        alias.ifPresent(a -> rooms.aliases().insert(tx, a, room, creator));
                        // Spec: visibility "public" publishes the room in the directory; absent means private.
                        if ("public".equals(req.visibility())) {
                            rooms.directory().setPublished(tx, room, true);
                        }
                    });
        } catch (MatrixException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                throw new MatrixException(ErrorCode.INVALID_ROOM_STATE, e.getMessage());
            }
            throw e;
        }
    }

    private static JsonObject powerLevels(RoomVersion version, UserId creator, Request req, String preset) {
        JsonObjectBuilder users = Json.objectBuilder();
        if (!version.privilegedCreators()) {
            users.add(creator.value(), 100);
            if (preset.equals("trusted_private_chat")) {
                req.invite().forEach(u -> users.add(u.value(), 100));
            }
        }
        JsonObjectBuilder pl = Json.objectBuilder()
                .add("users", users)
                .add("users_default", 0)
                .add("events", Json.objectBuilder()
                        .add("m.room.name", 50).add("m.room.power_levels", 100)
                        .add("m.room.history_visibility", 100).add("m.room.canonical_alias", 50)
                        .add("m.room.avatar", 50).add("m.room.tombstone", 100)
                        .add("m.room.server_acl", 100).add("m.room.encryption", 100))
                .add("events_default", 0).add("state_default", 50)
                .add("ban", 50).add("kick", 50).add("redact", 50)
                .add("invite", preset.equals("public_chat") ? 50 : 0)
                .add("notifications", Json.objectBuilder().add("room", 50));
        if (req.powerLevelContentOverride() != null) {
            req.powerLevelContentOverride().forEach(pl::add);
        }
        return pl.build();
    }
}
