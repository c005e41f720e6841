package org.hearth.spec.auth;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.UserId;
import org.hearth.spec.room.EventIdFormat;
import org.hearth.spec.room.RoomVersion;

/**
 * The authorization rules of every room version (spec: "Authorization rules" in each room version).
 *
 * <p>Comments number the rules as room versions 6 to 11 do. Versions 1 to 5 insert the
 * {@code m.room.aliases} rule as rule 4, so from rule 4 on their number is ours plus one; version 12
 * inserts a room ID rule as rule 2, so from rule 2 on its number is ours plus one. Rejection reasons
 * quote the rule rather than its number, so they read the same in every version.
 *
 * <p>How a server uses this (spec: Server-Server API, "Checks performed on receipt of a PDU"):
 * <ol>
 *   <li>{@link #checkAuthEvents} on the event's auth events as fetched by ID (rules 2.1, 2.2, 2.4, 2.5);
 *       the caller itself rejects the event if any of them was rejected (rule 2.3);</li>
 *   <li>{@link #check} with the auth events keyed by state key (from v12 plus the create event), then
 *       with the state before the event, then with the current state (soft failure).</li>
 * </ol>
 */
public final class AuthRules {
    static final String CREATE = "m.room.create";
    static final String MEMBER = "m.room.member";
    static final String JOIN_RULES = "m.room.join_rules";
    static final String POWER_LEVELS = "m.room.power_levels";
    static final String THIRD_PARTY_INVITE = "m.room.third_party_invite";
    static final String ALIASES = "m.room.aliases";
    static final String REDACTION = "m.room.redaction";

    static final StateKey CREATE_KEY = StateKey.of(CREATE, "");
    static final StateKey POWER_LEVELS_KEY = StateKey.of(POWER_LEVELS, "");
    static final StateKey JOIN_RULES_KEY = StateKey.of(JOIN_RULES, "");

    private AuthRules() {}

    /**
     * Checks {@code event} against {@code authState}: the state the rules consult (the event's auth events,
     * or the state before it). From room version 12 on, the caller includes the create event in
     * {@code authState} even though it is not among the event's auth events, and must only pass an
     * accepted (not rejected) create event.
     *
     * <p>The v8+ rule on {@code join_authorised_via_users_server} is answered by
     * {@link SignatureCheck#VERIFIED_ON_RECEIPT}; use the other overload to verify that signature here.
     */
    public static AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> authState) {
        return check(version, event, authState, SignatureCheck.VERIFIED_ON_RECEIPT);
    }

    /** As {@link #check(RoomVersion, Pdu, Map)}, asking {@code signatures} whether the authorising server signed. */
    public static AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> authState,
                                   SignatureCheck signatures) {
        // Events this malformed fail "Is a valid event" before any rule; refuse rather than throw.
        if (event.type() == null || event.sender() == null) {
            return AuthResult.rejected("event without type or sender");
        }
        // 1
        if (CREATE.equals(event.type())) {
            return checkCreate(version, event);
        }
        Pdu create = authState.get(CREATE_KEY);
        if (version.roomIdFromCreateEvent()) {
            // v12 rule 2: the room ID is the create event's ID with the sigil '!'.
            if (create == null) {
                return AuthResult.rejected("no m.room.create event");
            }
            if (!create.eventId().startsWith("$")
                    || !event.roomId().equals(Optional.of("!" + create.eventId().substring(1)))) {
                return AuthResult.rejected("room_id is not the ID of the m.room.create event");
            }
        } else if (create == null) {
            // 2.4
            return AuthResult.rejected("no m.room.create event among the auth events");
        }
        // 2.5, applied to the auth events the rules consult; v12's create event has no room_id.
        for (StateKey key : authEventTypes(version, event)) {
            Pdu authEvent = authState.get(key);
            if (authEvent != null && !authEvent.roomId().equals(event.roomId())) {
                return AuthResult.rejected("auth event " + authEvent.eventId() + " is from another room");
            }
        }
        // 3
        if (create.content().get("m.federate") == JsonValue.FALSE
                && !domain(event.sender()).equals(domain(create.sender()))) {
            return AuthResult.rejected("m.federate is false and the sender is from another server");
        }
        // v1-v5 rule 4
        if (version.specialCaseAliasesAuth() && ALIASES.equals(event.type())) {
            if (event.stateKey().isEmpty()) {
                return AuthResult.rejected("m.room.aliases without a state_key");
            }
            if (!domain(event.sender()).equals(event.stateKey().get())) {
                return AuthResult.rejected("m.room.aliases state_key is not the sender's domain");
            }
            return AuthResult.ALLOWED;
        }
        PowerLevels powerLevels = PowerLevels.fromState(version, authState);
        // 4
        if (MEMBER.equals(event.type())) {
            return MembershipRules.check(version, event, authState, create, powerLevels, signatures);
        }
        // 5
        if (!"join".equals(membership(authState, event.sender()))) {
            return AuthResult.rejected("the sender is not joined to the room");
        }
        long senderLevel = powerLevels.userLevel(event.sender());
        // 6
        if (THIRD_PARTY_INVITE.equals(event.type())) {
            return senderLevel >= powerLevels.invite()
                    ? AuthResult.ALLOWED
                    : AuthResult.rejected("m.room.third_party_invite needs the invite level");
        }
        // 7
        if (powerLevels.requiredLevel(event.type(), event.isState()) > senderLevel) {
            return AuthResult.rejected("the sender's power level is below the level required for " + event.type());
        }
        // 8
        if (event.stateKey().filter(k -> k.startsWith("@") && !k.equals(event.sender())).isPresent()) {
            return AuthResult.rejected("state_key starting with '@' is not the sender");
        }
        // 9
        if (POWER_LEVELS.equals(event.type())) {
            return PowerLevelRules.check(version, event, authState, create, senderLevel);
        }
        // v1-v2 rule 11: the redaction rule compares the domains that only server-chosen event IDs carry;
        // room version 3 dropped it together with them.
        if (REDACTION.equals(event.type()) && version.eventIds() == EventIdFormat.SERVER_CHOSEN) {
            if (senderLevel >= powerLevels.redact()) {
                return AuthResult.ALLOWED;
            }
            String redacts = event.json().getString("redacts", null);
            if (redacts != null && domain(redacts).equals(domain(event.eventId()))) {
                return AuthResult.ALLOWED;
            }
            return AuthResult.rejected("redaction of another server's event needs the redact level");
        }
        // 10
        return AuthResult.ALLOWED;
    }

    private static AuthResult checkCreate(RoomVersion version, Pdu event) {
        // 1.1
        if (!event.prevEvents().isEmpty()) {
            return AuthResult.rejected("m.room.create with prev_events");
        }
        // 1.2
        if (version.roomIdFromCreateEvent()) {
            if (event.json().containsKey("room_id")) {
                return AuthResult.rejected("m.room.create with a room_id");
            }
        } else if (event.roomId().isEmpty() || !domain(event.roomId().get()).equals(domain(event.sender()))) {
            return AuthResult.rejected("m.room.create room_id domain is not the sender's domain");
        }
        // 1.3
        JsonValue roomVersion = event.content().get("room_version");
        if (roomVersion != null
                && !(roomVersion instanceof JsonString s && RoomVersion.find(s.getString()).isPresent())) {
            return AuthResult.rejected("m.room.create with an unknown room_version");
        }
        // 1.4 until v10
        if (!version.implicitRoomCreator() && !event.content().containsKey("creator")) {
            return AuthResult.rejected("m.room.create without creator");
        }
        // v12 rule 1.4
        if (version.privilegedCreators() && event.content().containsKey("additional_creators")) {
            if (!(event.content().get("additional_creators") instanceof JsonArray extra)
                    || !extra.stream().allMatch(v -> v instanceof JsonString s && isUserId(s.getString()))) {
                return AuthResult.rejected("additional_creators is not an array of user IDs");
            }
        }
        return AuthResult.ALLOWED;
    }

    /**
     * The (type, state_key) pairs an event's {@code auth_events} are selected from
     * (spec: Server-Server API, "Auth events selection"): the create event up to v11, the power levels,
     * the sender's membership and, for member events, the target's membership, the join rules, the
     * third-party invite and the authorising user's membership as they apply. Empty for a create event.
     */
    public static Set<StateKey> authEventTypes(RoomVersion version, Pdu event) {
        Set<StateKey> keys = new LinkedHashSet<>();
        if (CREATE.equals(event.type())) {
            return keys;
        }
        if (!version.roomIdFromCreateEvent()) {
            keys.add(CREATE_KEY);
        }
        keys.add(POWER_LEVELS_KEY);
        if (event.sender() != null) {
            keys.add(StateKey.of(MEMBER, event.sender()));
        }
        if (MEMBER.equals(event.type()) && event.stateKey().isPresent()) {
            JsonObject content = event.content();
            String membership = content.getString("membership", null);
            keys.add(StateKey.of(MEMBER, event.stateKey().get()));
            if ("join".equals(membership) || "invite".equals(membership) || "knock".equals(membership)) {
                keys.add(JOIN_RULES_KEY);
            }
            if ("invite".equals(membership) && content.get("third_party_invite") instanceof JsonObject invite
                    && invite.get("signed") instanceof JsonObject signed
                    && signed.get("token") instanceof JsonString token) {
                keys.add(StateKey.of(THIRD_PARTY_INVITE, token.getString()));
            }
            if ("join".equals(membership) && version.restrictedJoinRule()
                    && content.get("join_authorised_via_users_server") instanceof JsonString authoriser) {
                keys.add(StateKey.of(MEMBER, authoriser.getString()));
            }
        }
        return keys;
    }

    /**
     * The rules on the event's {@code auth_events} list itself, given the events its IDs name
     * (in any order): every ID supplied (2.1 and 2.2 need them all), no duplicate (type, state_key) pair
     * (2.1), only pairs that {@link #authEventTypes} selects and only state events (2.2), a create event
     * up to v11 (2.4), and each from the event's room (2.5). Rule 2.3, that no auth event was itself
     * rejected, is the caller's: rejection is a stored fact about an event, not in its JSON.
     */
    public static AuthResult checkAuthEvents(RoomVersion version, Pdu event, Collection<Pdu> authEvents) {
        if (CREATE.equals(event.type())) {
            return AuthResult.ALLOWED; // rule 1 decides before rule 2 is reached
        }
        Map<String, Pdu> byId = new HashMap<>();
        for (Pdu authEvent : authEvents) {
            byId.put(authEvent.eventId(), authEvent);
        }
        Set<StateKey> selected = authEventTypes(version, event);
        Set<StateKey> seen = new LinkedHashSet<>();
        for (String id : event.authEvents()) {
            Pdu authEvent = byId.get(id);
            if (authEvent == null) {
                return AuthResult.rejected("auth event " + id + " not supplied");
            }
            Optional<StateKey> key = authEvent.stateTuple();
            // 2.1
            if (key.isPresent() && !seen.add(key.get())) {
                return AuthResult.rejected("duplicate auth events for " + key.get());
            }
            // 2.2
            if (key.isEmpty() || !selected.contains(key.get())) {
                return AuthResult.rejected("auth event " + id + " is not one the auth events selection picks");
            }
            // 2.5
            if (!authEvent.roomId().equals(event.roomId())) {
                return AuthResult.rejected("auth event " + id + " is from another room");
            }
        }
        // 2.4 until v11
        if (!version.roomIdFromCreateEvent() && !seen.contains(CREATE_KEY)) {
            return AuthResult.rejected("no m.room.create event among the auth events");
        }
        return AuthResult.ALLOWED;
    }

    /** {@code events} keyed by (type, state_key), message events left out; the shape {@link #check} takes. */
    public static Map<StateKey, Pdu> stateOf(Collection<Pdu> events) {
        Map<StateKey, Pdu> state = new HashMap<>();
        for (Pdu event : events) {
            event.stateTuple().ifPresent(key -> state.put(key, event));
        }
        return state;
    }

    /** A user's membership in {@code state}, or null without a member event. */
    static String membership(Map<StateKey, Pdu> state, String userId) {
        Pdu member = userId == null ? null : state.get(StateKey.of(MEMBER, userId));
        return member == null ? null : member.content().getString("membership", null);
    }

    /** The part after the first colon of a user, room or v1/v2 event ID; empty when there is none. */
    static String domain(String id) {
        int colon = id == null ? -1 : id.indexOf(':');
        return colon < 0 ? "" : id.substring(colon + 1);
    }

    /** The user ID validation applied to {@code sender} (historical localparts allowed). */
    static boolean isUserId(String value) {
        return UserId.tryParse(value).isPresent();
    }
}
