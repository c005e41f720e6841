package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.params;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * {@code POST /rooms/{roomId}/upgrade} (spec: Client-Server API, "Room upgrades", server behaviour): a new room
 * with the old one as predecessor and its transferable state, local aliases and directory listing moved, and a
 * tombstone plus restricted power levels left in the old room.
 */
public final class RoomUpgrades {
    private static final Logger LOG = System.getLogger(RoomUpgrades.class.getName());
    static final String TOMBSTONE = "m.room.tombstone";
    static final String POWER_LEVELS = "m.room.power_levels";
    static final String CANONICAL_ALIAS = "m.room.canonical_alias";
    // The spec's recommended list (Synapse's too), in the order they are sent.
    static final List<String> TRANSFERRED = List.of("m.room.join_rules", "m.room.history_visibility",
            "m.room.guest_access", "m.room.name", "m.room.topic", "m.room.avatar", "m.room.encryption",
            "m.room.server_acl");

    private final Rooms rooms;
    // Upgrades are rare; one at a time keeps two upgrades of one room from both succeeding half-way.
    private final ReentrantLock lock = new ReentrantLock();

    public RoomUpgrades(Rooms rooms) {
        this.rooms = rooms;
    }

    /**
     * {@code M_UNSUPPORTED_ROOM_VERSION} for an unknown version, {@code M_NOT_FOUND} for an unknown room,
     * {@code M_FORBIDDEN} when {@code user} may not send a tombstone in it.
     */
    public RoomId upgrade(RoomId oldRoom, UserId user, String newVersionId, List<UserId> additionalCreators) {
        RoomVersion newVersion = RoomVersion.find(newVersionId).orElseThrow(() -> new MatrixException(
                ErrorCode.UNSUPPORTED_ROOM_VERSION, "Room version " + newVersionId + " is not supported"));
        RoomVersion oldVersion = rooms.reader().version(oldRoom)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + oldRoom.value()));
        lock.lock();
        try {
            return upgradeLocked(oldRoom, oldVersion, user, newVersion, additionalCreators);
        } finally {
            lock.unlock();
        }
    }

    private RoomId upgradeLocked(RoomId oldRoom, RoomVersion oldVersion, UserId user, RoomVersion newVersion,
                                 List<UserId> additionalCreators) {
        RoomReader reader = rooms.reader();
        Map<StateKey, StoredEvent> state = reader.currentState(oldRoom);
        Map<StateKey, Pdu> pdus = new HashMap<>();
        state.forEach((k, e) -> pdus.put(k, e.pdu()));
        boolean joined = reader.membership(oldRoom, user).map(m -> m.membership().equals(Membership.JOIN)).orElse(false);
        if (!joined) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not joined to this room");
        }
        PowerLevels oldLevels = PowerLevels.fromState(oldVersion, pdus);
        if (oldLevels.userLevel(user.value()) < oldLevels.requiredLevel(TOMBSTONE, true)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You need power level "
                    + oldLevels.requiredLevel(TOMBSTONE, true) + " to upgrade this room");
        }
        if (state.containsKey(StateKey.of(TOMBSTONE, ""))) {
            // As Synapse: a tombstoned room was upgraded already; a second replacement would split the room.
            throw new MatrixException(ErrorCode.FORBIDDEN, "This room has already been upgraded");
        }

        JsonObject oldCreate = content(state, "m.room.create");
        JsonObjectBuilder create = Json.objectBuilder().add("room_version", newVersion.id());
        if (!newVersion.implicitRoomCreator()) {
            create.add("creator", user.value());
        }
        JsonObjectBuilder predecessor = Json.objectBuilder().add("room_id", oldRoom.value());
        // The last event known in the old room (spec: m.room.create predecessor.event_id; optional from v12).
        List<StoredEvent> last = reader.timeline(oldRoom, 0, Long.MAX_VALUE, 1, true);
        if (!last.isEmpty()) {
            predecessor.add("event_id", last.getFirst().eventId());
        }
        create.add("predecessor", predecessor);
        for (String copied : List.of("type", "m.federate")) {
            if (oldCreate.containsKey(copied)) {
                create.add(copied, oldCreate.get(copied));
            }
        }
        Set<String> creators = new LinkedHashSet<>();
        creators.add(user.value());
        if (newVersion.privilegedCreators() && !additionalCreators.isEmpty()) {
            JsonArrayBuilder extra = Json.arrayBuilder();
            additionalCreators.stream().map(UserId::value).filter(creators::add).forEach(extra::add);
            create.add("additional_creators", extra);
        }

        // Power levels: the old room's, minus creators where they have power outside them (v12), and with the
        // upgrader raised for as long as copying needs it, then put back (as Synapse does).
        JsonObject oldPl = state.containsKey(StateKey.of(POWER_LEVELS, ""))
                ? content(state, POWER_LEVELS) : defaultPowerLevels(user);
        JsonObjectBuilder users = Json.objectBuilder();
        if (oldPl.get("users") instanceof JsonObject u) {
            u.forEach((id, level) -> {
                if (!(newVersion.privilegedCreators() && creators.contains(id))) {
                    users.add(id, level);
                }
            });
        }
        JsonObject finalPl = Json.objectBuilder(oldPl).add("users", users).build();
        List<EventDraft> drafts = new ArrayList<>();
        drafts.add(EventDraft.state("m.room.member", user.value(),
                rooms.memberProfiles().content(user, Membership.JOIN, null)));
        JsonObject restorePl = null;
        if (!newVersion.privilegedCreators()) {
            PowerLevels planned = PowerLevels.parse(newVersion, finalPl);
            long needed = planned.ban();
            for (String type : TRANSFERRED) {
                needed = Math.max(needed, planned.requiredLevel(type, true));
            }
            needed = Math.max(needed, Math.max(planned.requiredLevel(POWER_LEVELS, true),
                    planned.requiredLevel(CANONICAL_ALIAS, true)));
            if (oldVersion.privilegedCreators() && oldLevels.privilegedCreators().contains(user.value())) {
                // A v12 creator had power outside the power levels; the new room needs it written down.
                finalPl = Json.objectBuilder(finalPl).add("users", Json.objectBuilder(finalPl.getJsonObject("users"))
                        .add(user.value(), Math.max(needed, 100))).build();
            } else if (planned.userLevel(user.value()) < needed) {
                restorePl = finalPl;
                finalPl = Json.objectBuilder(finalPl).add("users", Json.objectBuilder(finalPl.getJsonObject("users"))
                        .add(user.value(), needed)).build();
            }
        }
        drafts.add(EventDraft.state(POWER_LEVELS, "", finalPl));
        for (String type : TRANSFERRED) {
            if (state.containsKey(StateKey.of(type, ""))) {
                drafts.add(EventDraft.state(type, "", content(state, type)));
            }
        }
        JsonObject canonical = content(state, CANONICAL_ALIAS);
        if (!canonical.isEmpty()) {
            drafts.add(EventDraft.state(CANONICAL_ALIAS, "", canonical));
        }
        // Bans carry over (Synapse does the same): a banned user must not walk into the replacement.
        state.forEach((key, event) -> {
            if (key.type().equals("m.room.member") && Membership.BAN.equals(
                    event.pdu().content().getString("membership", "")) && !creators.contains(key.stateKey())) {
                drafts.add(EventDraft.state("m.room.member", key.stateKey(),
                        Json.objectBuilder().add("membership", Membership.BAN).build()));
            }
        });
        if (restorePl != null) {
            drafts.add(EventDraft.state(POWER_LEVELS, "", restorePl));
        }

        boolean published = rooms.directory().isPublished(oldRoom);
        RoomId newRoom;
        try {
            newRoom = rooms.engine().create(newVersion, user, create.build(), drafts, (tx, room) -> {
                // Spec step 4: local aliases now name the new room.
                tx.createNamedUpdate("directory-aliases-move")
                        .params(params("old_room_id", oldRoom.value(), "new_room_id", room.value())).execute();
                if (published) {
                    rooms.directory().setPublished(tx, oldRoom, false);
                    rooms.directory().setPublished(tx, room, true);
                }
            });
        } catch (MatrixException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                throw new MatrixException(ErrorCode.INVALID_ROOM_STATE, "The old room's state cannot be copied: "
                        + e.getMessage());
            }
            throw e;
        }

        rooms.engine().send(oldRoom, user, EventDraft.state(TOMBSTONE, "", Json.objectBuilder()
                .add("body", "This room has been replaced").add("replacement_room", newRoom.value()).build()), null);
        restrictOldRoom(oldRoom, user, state, oldPl);
        if (!canonical.isEmpty()) {
            // The aliases moved; the old room no longer advertises them.
            sendQuietly(oldRoom, user, EventDraft.state(CANONICAL_ALIAS, "", JsonValue.EMPTY_JSON_OBJECT));
        }
        return newRoom;
    }

    /** Spec step 6: events and invites in the old room need max(50, users_default + 1). */
    private void restrictOldRoom(RoomId oldRoom, UserId user, Map<StateKey, StoredEvent> state, JsonObject pl) {
        if (!state.containsKey(StateKey.of(POWER_LEVELS, ""))) {
            return;
        }
        long usersDefault = number(pl, "users_default", 0);
        long restricted = Math.max(50, usersDefault + 1);
        if (number(pl, "events_default", 0) >= restricted && number(pl, "invite", 0) >= restricted) {
            return;
        }
        sendQuietly(oldRoom, user, EventDraft.state(POWER_LEVELS, "", Json.objectBuilder(pl)
                .add("events_default", restricted).add("invite", restricted).build()));
    }

    // The replacement exists and the tombstone is sent: a refused clean-up must not fail the upgrade.
    private void sendQuietly(RoomId room, UserId user, EventDraft draft) {
        try {
            rooms.engine().send(room, user, draft, null);
        } catch (MatrixException e) {
            LOG.log(Level.INFO, "upgrade of " + room + ": " + draft.type() + " refused: " + e.getMessage());
        }
    }

    private static long number(JsonObject content, String key, long fallback) {
        JsonValue v = content.get(key);
        if (v instanceof JsonNumber n) {
            return n.longValue();
        }
        if (v instanceof jakarta.json.JsonString s) {
            try {
                return Long.parseLong(s.getString().strip());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static JsonObject defaultPowerLevels(UserId user) {
        return Json.objectBuilder().add("users", Json.objectBuilder().add(user.value(), 100)).build();
    }

    private static JsonObject content(Map<StateKey, StoredEvent> state, String type) {
        StoredEvent e = state.get(StateKey.of(type, ""));
        return e == null ? JsonValue.EMPTY_JSON_OBJECT : e.pdu().content();
    }
}
