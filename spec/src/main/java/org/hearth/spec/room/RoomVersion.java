package org.hearth.spec.room;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A room version as data: every rule that differs between versions is a field, so code asks
 * {@code version.knockJoinRule()} instead of comparing version strings.
 *
 * @param id                          the version string, "1" to "12"
 * @param stable                      whether the spec marks it stable
 * @param eventIds                    how event IDs are formed
 * @param stateRes                    the state resolution algorithm
 * @param redaction                   the redaction algorithm
 * @param enforceKeyValidity          v5+: signatures must be made while the key was valid
 * @param specialCaseAliasesAuth      v1-v5: m.room.aliases has its own auth rule
 * @param strictCanonicalJson         v6+: floats and out-of-range integers make an event invalid
 * @param limitNotificationsPowerLevels v6+: changing {@code notifications} in power levels needs the power
 * @param knockJoinRule               v7+: the "knock" join rule and membership
 * @param restrictedJoinRule          v8+: the "restricted" join rule
 * @param knockRestrictedJoinRule     v10+: the "knock_restricted" join rule
 * @param integerPowerLevels          v10+: power level values must be JSON integers, not strings
 * @param implicitRoomCreator         v11+: the room creator is the create event's sender ({@code creator} is gone)
 * @param redactsInContent            v11+: {@code redacts} moved from the top level into content
 * @param roomIdFromCreateEvent       v12+: the room ID is derived from the create event's reference hash (MSC4291)
 * @param privilegedCreators          v12+: creators have unlimited power and are not in power levels (MSC4289)
 */
public record RoomVersion(
        String id,
        boolean stable,
        EventIdFormat eventIds,
        StateResAlgorithm stateRes,
        RedactionRules redaction,
        boolean enforceKeyValidity,
        boolean specialCaseAliasesAuth,
        boolean strictCanonicalJson,
        boolean limitNotificationsPowerLevels,
        boolean knockJoinRule,
        boolean restrictedJoinRule,
        boolean knockRestrictedJoinRule,
        boolean integerPowerLevels,
        boolean implicitRoomCreator,
        boolean redactsInContent,
        boolean roomIdFromCreateEvent,
        boolean privilegedCreators) {

    public static final RoomVersion V1 = new RoomVersion("1", true, EventIdFormat.SERVER_CHOSEN, StateResAlgorithm.V1,
            RedactionRules.V1, false, true, false, false, false, false, false, false, false, false, false, false);
    // v2 introduced state resolution v2 (spec: "Room Version 2").
    public static final RoomVersion V2 = V1.with("2", v -> v.stateRes = StateResAlgorithm.V2);
    // v3: event IDs are hashes (spec: "Room Version 3").
    public static final RoomVersion V3 = V2.with("3", v -> v.eventIds = EventIdFormat.STANDARD_BASE64_HASH);
    // v4: URL-safe event IDs.
    public static final RoomVersion V4 = V3.with("4", v -> v.eventIds = EventIdFormat.URL_SAFE_BASE64_HASH);
    // v5: signing key validity enforced.
    public static final RoomVersion V5 = V4.with("5", v -> v.enforceKeyValidity = true);
    // v6: aliases special case removed, strict canonical JSON, notifications power levels.
    public static final RoomVersion V6 = V5.with("6", v -> {
        v.specialCaseAliasesAuth = false;
        v.strictCanonicalJson = true;
        v.limitNotificationsPowerLevels = true;
        v.redaction = RedactionRules.V6;
    });
    // v7: knocking.
    public static final RoomVersion V7 = V6.with("7", v -> v.knockJoinRule = true);
    // v8: restricted joins; redaction keeps join_rules' allow.
    public static final RoomVersion V8 = V7.with("8", v -> {
        v.restrictedJoinRule = true;
        v.redaction = RedactionRules.V8;
    });
    // v9: redaction keeps join_authorised_via_users_server.
    public static final RoomVersion V9 = V8.with("9", v -> v.redaction = RedactionRules.V9);
    // v10: knock_restricted, integer-only power levels.
    public static final RoomVersion V10 = V9.with("10", v -> {
        v.knockRestrictedJoinRule = true;
        v.integerPowerLevels = true;
    });
    // v11: implicit creator, redacts in content, updated redaction algorithm.
    public static final RoomVersion V11 = V10.with("11", v -> {
        v.implicitRoomCreator = true;
        v.redactsInContent = true;
        v.redaction = RedactionRules.V11;
    });
    // v12: room ID from the create event (MSC4291), privileged creators (MSC4289), state res v2.1 (MSC4297).
    public static final RoomVersion V12 = V11.with("12", v -> {
        v.roomIdFromCreateEvent = true;
        v.privilegedCreators = true;
        v.stateRes = StateResAlgorithm.V2_1;
    });

    public static final List<RoomVersion> ALL = List.of(V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12);

    /** The default for new rooms: the spec says servers SHOULD use 12 (config {@code default_room_version}). */
    public static final RoomVersion DEFAULT = V12;

    private static final Map<String, RoomVersion> BY_ID =
            ALL.stream().collect(Collectors.toUnmodifiableMap(RoomVersion::id, Function.identity()));

    public static Optional<RoomVersion> find(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    private RoomVersion with(String newId, java.util.function.Consumer<Builder> change) {
        Builder b = new Builder(this);
        b.id = newId;
        change.accept(b);
        return b.build();
    }

    private static final class Builder {
        String id;
        boolean stable;
        EventIdFormat eventIds;
        StateResAlgorithm stateRes;
        RedactionRules redaction;
        boolean enforceKeyValidity, specialCaseAliasesAuth, strictCanonicalJson, limitNotificationsPowerLevels,
                knockJoinRule, restrictedJoinRule, knockRestrictedJoinRule, integerPowerLevels, implicitRoomCreator,
                redactsInContent, roomIdFromCreateEvent, privilegedCreators;

        Builder(RoomVersion v) {
            id = v.id;
            stable = v.stable;
            eventIds = v.eventIds;
            stateRes = v.stateRes;
            redaction = v.redaction;
            enforceKeyValidity = v.enforceKeyValidity;
            specialCaseAliasesAuth = v.specialCaseAliasesAuth;
            strictCanonicalJson = v.strictCanonicalJson;
            limitNotificationsPowerLevels = v.limitNotificationsPowerLevels;
            knockJoinRule = v.knockJoinRule;
            restrictedJoinRule = v.restrictedJoinRule;
            knockRestrictedJoinRule = v.knockRestrictedJoinRule;
            integerPowerLevels = v.integerPowerLevels;
            implicitRoomCreator = v.implicitRoomCreator;
            redactsInContent = v.redactsInContent;
            roomIdFromCreateEvent = v.roomIdFromCreateEvent;
            privilegedCreators = v.privilegedCreators;
        }

        RoomVersion build() {
            return new RoomVersion(id, stable, eventIds, stateRes, redaction, enforceKeyValidity,
                    specialCaseAliasesAuth, strictCanonicalJson, limitNotificationsPowerLevels, knockJoinRule,
                    restrictedJoinRule, knockRestrictedJoinRule, integerPowerLevels, implicitRoomCreator,
                    redactsInContent, roomIdFromCreateEvent, privilegedCreators);
        }
    }
}
