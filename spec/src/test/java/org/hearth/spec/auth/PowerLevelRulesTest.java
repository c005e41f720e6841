package org.hearth.spec.auth;

import static org.hearth.spec.auth.TestRoom.ALICE;
import static org.hearth.spec.auth.TestRoom.BOB;
import static org.hearth.spec.auth.TestRoom.CAROL;
import static org.hearth.spec.auth.TestRoom.obj;
import static org.hearth.spec.auth.TestRoom.parse;

import java.util.List;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class PowerLevelRulesTest {
    static final List<RoomVersion> ALL = RoomVersion.ALL;
    static final List<RoomVersion> UP_TO_9 = RoomVersion.ALL.subList(0, 9);
    static final List<RoomVersion> UP_TO_5 = RoomVersion.ALL.subList(0, 5);
    static final List<RoomVersion> FROM_6 = RoomVersion.ALL.subList(5, 12);
    static final List<RoomVersion> FROM_10 = RoomVersion.ALL.subList(9, 12);

    /** A room where bob is joined at level 50 and carol at 50 too, alice at 100 (or creator in v12). */
    private static TestRoom room(RoomVersion version, String extra) {
        TestRoom room = TestRoom.standard(version, "public");
        room.setMembership(BOB, "join").setMembership(CAROL, "join");
        room.setPowerLevels(parse("{'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50}" + extra + "}"));
        return room;
    }

    private static String alice(RoomVersion version) {
        return version.privilegedCreators() ? "" : "'@alice:a.org':100,";
    }

    private static Pdu levels(TestRoom room, String sender, String content) {
        return room.state("m.room.power_levels", "", sender, parse(content)).build();
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void firstPowerLevelsEventIsAllowed(RoomVersion version) {
        TestRoom room = TestRoom.created(version, ALICE);
        room.setMembership(ALICE, "join");
        room.assertAllowed(levels(room, ALICE, "{'users':{'@bob:b.org':100},'ban':100}"));
    }

    @ParameterizedTest
    @FieldSource("UP_TO_9")
    void stringLevelsAreAcceptedBeforeV10(RoomVersion version) {
        TestRoom room = room(version, "");
        room.assertAllowed(levels(room, BOB, "{'users':{" + alice(version)
                + "'@bob:b.org':' +050 ','@carol:c.org':'50'},'ban':'50','events':{'m.room.name':'50'}}"));
        // a string that is not an integer
        room.assertRejected(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':'50.5','@carol:c.org':50}}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':'fifty','@carol:c.org':50}}"));
    }

    @ParameterizedTest
    @FieldSource("FROM_10")
    void stringLevelsAreRejectedFromV10(RoomVersion version) {
        TestRoom room = room(version, "");
        String users = "'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50}";
        room.assertAllowed(levels(room, BOB, "{" + users + ",'ban':50}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'ban':'50'}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'events_default':true}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'events':{'m.room.name':'50'}}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'events':[]}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'notifications':{'room':'50'}}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':'50','@carol:c.org':50}}"));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void usersMustBeAnObjectOfUserIdsToIntegers(RoomVersion version) {
        TestRoom room = room(version, "");
        String users = alice(version) + "'@bob:b.org':50,'@carol:c.org':50";
        room.assertRejected(levels(room, BOB, "{'users':[]}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + users + ",'dave':0}}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + users + ",'@dave:d.org':null}}"));
        room.assertAllowed(levels(room, BOB, "{'users':{" + users + ",'@dave:d.org':0}}"));
    }

    @ParameterizedTest
    @FieldSource("UP_TO_5")
    void floatsAreTruncatedBeforeV6(RoomVersion version) {
        TestRoom room = room(version, "");
        // 50.57 reads as 50, bob's own level
        room.assertAllowed(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50,'@dave:d.org':50.57}}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50,'@dave:d.org':51.2}}"));
        // beyond binary64
        room.assertRejected(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50},'kick':1e400}"));
    }

    @ParameterizedTest
    @FieldSource("FROM_6")
    void floatsAreNotLevelsFromV6(RoomVersion version) {
        TestRoom room = room(version, "");
        room.assertRejected(levels(room, BOB, "{'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50,'@dave:d.org':5.5}}"));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void topLevelChangesAreBoundedByTheSendersLevel(RoomVersion version) {
        TestRoom room = room(version, ",'kick':60");
        String users = "'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50}";
        // 9.5.1: kick is currently above bob; changing or removing it is refused
        room.assertRejected(levels(room, BOB, "{" + users + ",'kick':40}"));
        room.assertRejected(levels(room, BOB, "{" + users + "}"));
        // keeping it unchanged while changing something else within bob's power
        room.assertAllowed(levels(room, BOB, "{" + users + ",'kick':60,'invite':50}"));
        // 9.5.2: a new value above bob
        room.assertRejected(levels(room, BOB, "{" + users + ",'kick':60,'invite':51}"));
        // alice may
        room.assertAllowed(levels(room, ALICE, "{" + users + ",'kick':40}"));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void eventLevelChangesAreBoundedByTheSendersLevel(RoomVersion version) {
        TestRoom room = room(version, ",'events':{'m.room.name':60,'m.room.topic':10}");
        String users = "'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50}";
        // 9.6: changing or removing an entry above bob
        room.assertRejected(levels(room, BOB, "{" + users + ",'events':{'m.room.name':50,'m.room.topic':10}}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'events':{'m.room.topic':10}}"));
        // 9.7: adding or changing to above bob
        room.assertRejected(levels(room, BOB, "{" + users + ",'events':{'m.room.name':60,'m.room.topic':51}}"));
        room.assertAllowed(levels(room, BOB, "{" + users + ",'events':{'m.room.name':60,'m.room.topic':50,'m.x':0}}"));
    }

    @ParameterizedTest
    @FieldSource("UP_TO_5")
    void notificationsAreFreeBeforeV6(RoomVersion version) {
        TestRoom room = room(version, ",'notifications':{'room':60}");
        room.assertAllowed(levels(room, BOB, "{'users':{" + alice(version)
                + "'@bob:b.org':50,'@carol:c.org':50},'notifications':{'room':0}}"));
    }

    @ParameterizedTest
    @FieldSource("FROM_6")
    void notificationsAreBoundedFromV6(RoomVersion version) {
        TestRoom room = room(version, ",'notifications':{'room':60}");
        String users = "'users':{" + alice(version) + "'@bob:b.org':50,'@carol:c.org':50}";
        room.assertRejected(levels(room, BOB, "{" + users + ",'notifications':{'room':0}}"));
        room.assertRejected(levels(room, BOB, "{" + users + ",'notifications':{'room':60,'x':70}}"));
        room.assertAllowed(levels(room, BOB, "{" + users + ",'notifications':{'room':60,'x':50}}"));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void userLevelChanges(RoomVersion version) {
        TestRoom room = room(version, "");
        String a = alice(version);
        // 9.8: carol has as much power as bob
        room.assertRejected(levels(room, BOB, "{'users':{" + a + "'@bob:b.org':50,'@carol:c.org':10}}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + a + "'@bob:b.org':50}}"));
        // but bob may lower himself
        room.assertAllowed(levels(room, BOB, "{'users':{" + a + "'@bob:b.org':10,'@carol:c.org':50}}"));
        // 9.9: up to his own level, not above
        room.assertAllowed(levels(room, BOB, "{'users':{" + a + "'@bob:b.org':50,'@carol:c.org':50,'@dave:d.org':50}}"));
        room.assertRejected(levels(room, BOB, "{'users':{" + a + "'@bob:b.org':51,'@carol:c.org':50}}"));
        // a user below bob may be changed or removed
        room.setPowerLevels(parse("{'users':{" + a + "'@bob:b.org':50,'@carol:c.org':49}}"));
        room.assertAllowed(levels(room, BOB, "{'users':{" + a + "'@bob:b.org':50}}"));
    }

    @Test
    void v12CreatorsCannotBeListedInUsers() {
        TestRoom room = TestRoom.created(RoomVersion.V12, ALICE, BOB);
        room.setMembership(ALICE, "join").setMembership(BOB, "join");
        room.assertAllowed(levels(room, ALICE, "{'users':{'@carol:c.org':100}}"));
        room.assertRejected(levels(room, ALICE, "{'users':{'@alice:a.org':100}}"));
        room.assertRejected(levels(room, ALICE, "{'users':{'@bob:b.org':100}}"));
        // before v12 the creator is listed like anyone
        TestRoom v11 = TestRoom.created(RoomVersion.V11, ALICE);
        v11.setMembership(ALICE, "join");
        v11.assertAllowed(levels(v11, ALICE, "{'users':{'@alice:a.org':100}}"));
    }

    @Test
    void v12CreatorsOutrankEveryLevel() {
        TestRoom room = TestRoom.created(RoomVersion.V12, ALICE, BOB);
        room.setMembership(ALICE, "join").setMembership(BOB, "join").setMembership(CAROL, "join");
        room.setPowerLevels(parse("{'users':{'@carol:c.org':9007199254740991},'ban':9007199254740991}"));
        // the additional creator bans a user at the highest integer level
        room.assertAllowed(room.member(BOB, CAROL, "ban").build());
        // who cannot kick or ban a creator
        room.assertRejected(room.member(CAROL, BOB, "leave").build());
        room.assertRejected(room.member(CAROL, ALICE, "ban").build());
        // nor can creators kick each other: infinite is not below infinite
        room.assertRejected(room.member(ALICE, BOB, "leave").build());
        // and creators may set any level
        room.assertAllowed(levels(room, BOB, "{'users':{'@carol:c.org':0},'ban':50,'events':{'m.room.tombstone':150}}"));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void nonMembersMaySendNothing(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.assertRejected(room.event("m.room.message", BOB, obj("body", "hi")).build());
        room.setMembership(BOB, "invite");
        room.assertRejected(room.event("m.room.message", BOB, obj("body", "hi")).build());
        room.setMembership(BOB, "join");
        room.assertAllowed(room.event("m.room.message", BOB, obj("body", "hi")).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void requiredPowerLevel(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.setMembership(BOB, "join");
        // state_default is 50, events_default 0
        room.assertRejected(room.state("m.room.name", "", BOB, obj("name", "x")).build());
        room.assertAllowed(room.state("m.room.name", "", ALICE, obj("name", "x")).build());
        room.setPowerLevels(parse("{'users':{" + alice(version) + "'@bob:b.org':10},'events':{'m.room.name':10,'m.reaction':20}}"));
        room.assertAllowed(room.state("m.room.name", "", BOB, obj("name", "x")).build());
        room.assertRejected(room.event("m.reaction", BOB, obj("k", "v")).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void creatorHas100WithoutPowerLevels(RoomVersion version) {
        TestRoom room = TestRoom.created(version, ALICE);
        room.setMembership(ALICE, "join").setMembership(BOB, "join");
        room.assertAllowed(room.state("m.room.name", "", ALICE, obj("name", "x")).build());
        room.assertRejected(room.state("m.room.name", "", BOB, obj("name", "x")).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void stateKeysNamingOtherUsersAreTheirs(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.setPowerLevels(parse("{'users':{" + alice(version) + "'@bob:b.org':100}}"));
        room.setMembership(BOB, "join");
        room.assertRejected(room.state("m.custom", ALICE, BOB, obj("a", "b")).build());
        room.assertAllowed(room.state("m.custom", BOB, BOB, obj("a", "b")).build());
        room.assertAllowed(room.state("m.custom", "bob", BOB, obj("a", "b")).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void thirdPartyInviteEventNeedsInviteLevel(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "invite");
        room.setMembership(BOB, "join");
        room.setPowerLevels(parse("{'users':{" + alice(version) + "'@bob:b.org':10},'invite':20,'state_default':0}"));
        room.assertRejected(room.state("m.room.third_party_invite", "tok", BOB, obj("display_name", "x")).build());
        room.setPowerLevels(parse("{'users':{" + alice(version) + "'@bob:b.org':20},'invite':20,'state_default':100}"));
        room.assertAllowed(room.state("m.room.third_party_invite", "tok", BOB, obj("display_name", "x")).build());
    }

    @Test
    void aliasesHaveTheirOwnRuleUpToV5() {
        for (RoomVersion version : RoomVersion.ALL) {
            TestRoom room = TestRoom.standard(version, "public");
            // bob is not even a member, and has no power
            Pdu ownDomain = room.state("m.room.aliases", "b.org", BOB, parse("{'aliases':['#x:b.org']}")).build();
            Pdu otherDomain = room.state("m.room.aliases", "a.org", BOB, parse("{'aliases':['#x:a.org']}")).build();
            Pdu noStateKey = room.event("m.room.aliases", BOB, parse("{'aliases':[]}")).build();
            if (version.specialCaseAliasesAuth()) {
                room.assertAllowed(ownDomain);
                room.assertRejected(otherDomain);
                room.assertRejected(noStateKey);
            } else {
                room.assertRejected(ownDomain);
                room.setMembership(BOB, "join");
                room.assertRejected(ownDomain);
                room.assertAllowed(room.state("m.room.aliases", "a.org", ALICE, parse("{'aliases':[]}")).build());
            }
        }
    }

    @Test
    void redactionsHaveTheirOwnRuleInV1AndV2() {
        for (RoomVersion version : RoomVersion.ALL) {
            TestRoom room = TestRoom.standard(version, "public");
            room.setMembership(BOB, "join");
            Pdu sameDomain = room.event("m.room.redaction", BOB, parse("{}")).set("redacts", "$msg:b.org").build("$r:b.org");
            Pdu otherDomain = room.event("m.room.redaction", BOB, parse("{}")).set("redacts", "$msg:a.org").build("$r2:b.org");
            room.assertAllowed(sameDomain);
            if (version.id().equals("1") || version.id().equals("2")) {
                room.assertRejected(otherDomain);
                room.setPowerLevels(parse("{'users':{'@alice:a.org':100,'@bob:b.org':50}}"));
                room.assertAllowed(otherDomain);
            } else {
                // from v3 the redact level is not an auth rule
                room.assertAllowed(otherDomain);
            }
        }
    }

    @Test
    void statePowerLevelsKeyIsRead() {
        TestRoom room = room(RoomVersion.V10, "");
        room.assertAllowed(room.state("m.room.name", "", BOB, obj("name", "x")).build());
        room.state.remove(StateKey.of("m.room.power_levels", ""));
        room.assertRejected(room.state("m.room.name", "", BOB, obj("name", "x")).build());
    }
}
