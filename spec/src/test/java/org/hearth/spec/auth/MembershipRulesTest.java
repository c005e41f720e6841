package org.hearth.spec.auth;

import static org.hearth.spec.auth.TestRoom.ALICE;
import static org.hearth.spec.auth.TestRoom.BOB;
import static org.hearth.spec.auth.TestRoom.CAROL;
import static org.hearth.spec.auth.TestRoom.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class MembershipRulesTest {
    static final List<RoomVersion> ALL = RoomVersion.ALL;
    static final List<RoomVersion> FROM_7 = RoomVersion.ALL.subList(6, 12);
    static final List<RoomVersion> FROM_8 = RoomVersion.ALL.subList(7, 12);
    static final List<RoomVersion> FROM_10 = RoomVersion.ALL.subList(9, 12);

    @ParameterizedTest
    @FieldSource("ALL")
    void creatorMayJoinRightAfterCreate(RoomVersion version) {
        TestRoom room = TestRoom.created(version, ALICE);
        room.assertAllowed(room.member(ALICE, ALICE, "join").prev(room.create.eventId()).build());
        // someone else, or the creator later on (no join rules event: no other rule allows it)
        room.assertRejected(room.member(BOB, BOB, "join").prev(room.create.eventId()).build());
        room.assertRejected(room.member(ALICE, ALICE, "join").prev("$later").build());
    }

    @Test
    void creatorIsContentCreatorUntilV10AndSenderFromV11() {
        // v10: content.creator names bob although alice sent the create event
        TestRoom v10 = TestRoom.created(RoomVersion.V10, BOB);
        Pdu create10 = new Pdu(v10.create.eventId(), jakarta.json.Json.createObjectBuilder(v10.create.json())
                .add("sender", ALICE).add("room_id", "!room:a.org").build());
        v10.put(create10);
        var bobJoin = v10.member(BOB, BOB, "join").room("!room:a.org").prev(create10.eventId()).build();
        assertEquals(AuthResult.ALLOWED, AuthRules.check(RoomVersion.V10, bobJoin, v10.state));
        // v11: content.creator means nothing; the sender is the creator
        TestRoom v11 = TestRoom.created(RoomVersion.V11, ALICE);
        Pdu create11 = new Pdu(v11.create.eventId(), jakarta.json.Json.createObjectBuilder(v11.create.json())
                .add("content", parse("{'creator':'@bob:b.org'}")).build());
        v11.put(create11);
        v11.assertRejected(v11.member(BOB, BOB, "join").prev(create11.eventId()).build());
        v11.assertAllowed(v11.member(ALICE, ALICE, "join").prev(create11.eventId()).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void publicRoomJoin(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.assertAllowed(room.member(BOB, BOB, "join").build());
        // 4.3.2 joining for someone else
        room.assertRejected(room.member(ALICE, BOB, "join").build());
        // 4.3.3 banned
        room.setMembership(BOB, "ban");
        room.assertRejected(room.member(BOB, BOB, "join").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void inviteOnlyRoomJoinNeedsInvite(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "invite");
        room.assertRejected(room.member(BOB, BOB, "join").build());
        room.setMembership(BOB, "invite");
        room.assertAllowed(room.member(BOB, BOB, "join").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void unknownOrMissingJoinRuleRejectsJoin(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "private");
        room.setMembership(BOB, "invite");
        room.assertRejected(room.member(BOB, BOB, "join").build());
        room.state.remove(AuthRules.JOIN_RULES_KEY);
        room.assertRejected(room.member(BOB, BOB, "join").build());
    }

    @Test
    void knockJoinRuleAdmitsInviteesFromV7Only() {
        TestRoom v6 = TestRoom.standard(RoomVersion.V6, "knock");
        v6.setMembership(BOB, "invite");
        v6.assertRejected(v6.member(BOB, BOB, "join").build());
        TestRoom v7 = TestRoom.standard(RoomVersion.V7, "knock");
        v7.assertRejected(v7.member(BOB, BOB, "join").build());
        v7.setMembership(BOB, "invite");
        v7.assertAllowed(v7.member(BOB, BOB, "join").build());
    }

    private static Pdu authorisedJoin(TestRoom room, String authoriser) {
        return room.member(BOB, BOB, "join")
                .content(parse("{'membership':'join','join_authorised_via_users_server':'" + authoriser + "'}"))
                .set("signatures", parse("{'b.org':{'ed25519:1':'x'},'a.org':{'ed25519:1':'y'}}"))
                .build();
    }

    @ParameterizedTest
    @FieldSource("FROM_8")
    void restrictedJoinNeedsAJoinedAuthoriserWhoMayInvite(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "restricted");
        room.assertAllowed(authorisedJoin(room, ALICE));
        // 4.3.5.2: no authoriser, one who is not joined, one below the invite level
        room.assertRejected(room.member(BOB, BOB, "join").build());
        room.assertRejected(authorisedJoin(room, "@dave:a.org"));
        room.setMembership("@dave:a.org", "join");
        room.setPowerLevels(parse("{'users':{'@alice:a.org':100},'invite':50}".replace(
                version.privilegedCreators() ? "'@alice:a.org':100" : "#", "")));
        room.assertRejected(authorisedJoin(room, "@dave:a.org"));
        // 4.3.5.1: invited users need no authoriser
        room.setMembership(BOB, "invite");
        room.assertAllowed(room.member(BOB, BOB, "join").build());
    }

    @Test
    void restrictedJoinRuleIsUnknownBeforeV8() {
        TestRoom room = TestRoom.standard(RoomVersion.V7, "restricted");
        room.assertRejected(authorisedJoin(room, ALICE));
    }

    @ParameterizedTest
    @FieldSource("FROM_8")
    void authoriserServerMustHaveSigned(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "restricted");
        Pdu unsigned = room.member(BOB, BOB, "join")
                .content(parse("{'membership':'join','join_authorised_via_users_server':'@alice:a.org'}"))
                .set("signatures", parse("{'b.org':{'ed25519:1':'x'}}")).build();
        room.assertRejected(unsigned);
        // the caller's signature check decides
        Pdu signed = authorisedJoin(room, ALICE);
        assertInstanceOf(AuthResult.Rejected.class,
                AuthRules.check(version, signed, room.state, (event, server) -> !server.equals("a.org")));
        assertEquals(AuthResult.ALLOWED,
                AuthRules.check(version, signed, room.state, (event, server) -> server.equals("a.org")));
    }

    @Test
    void knockRestrictedFromV10() {
        TestRoom v9 = TestRoom.standard(RoomVersion.V9, "knock_restricted");
        v9.assertRejected(authorisedJoin(v9, ALICE));
        v9.assertRejected(v9.member(BOB, BOB, "knock").build());
        TestRoom v10 = TestRoom.standard(RoomVersion.V10, "knock_restricted");
        v10.assertAllowed(authorisedJoin(v10, ALICE));
        v10.assertAllowed(v10.member(BOB, BOB, "knock").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void invite(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "invite");
        room.assertAllowed(room.member(ALICE, BOB, "invite").build());
        // 4.4.2 the inviter must be joined
        room.assertRejected(room.member(CAROL, BOB, "invite").build());
        // 4.4.4 invite level
        room.setMembership(CAROL, "join");
        room.assertAllowed(room.member(CAROL, BOB, "invite").build());
        room.setPowerLevels(parse(version.privilegedCreators() ? "{'invite':50}" : "{'users':{'@alice:a.org':100},'invite':50}"));
        room.assertRejected(room.member(CAROL, BOB, "invite").build());
        room.assertAllowed(room.member(ALICE, BOB, "invite").build());
        // 4.4.3 target joined or banned
        room.setMembership(BOB, "join");
        room.assertRejected(room.member(ALICE, BOB, "invite").build());
        room.setMembership(BOB, "ban");
        room.assertRejected(room.member(ALICE, BOB, "invite").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void leaveOwnMembership(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "invite");
        room.assertRejected(room.member(BOB, BOB, "leave").build());
        room.setMembership(BOB, "invite");
        room.assertAllowed(room.member(BOB, BOB, "leave").build());
        room.setMembership(BOB, "join");
        room.assertAllowed(room.member(BOB, BOB, "leave").build());
        room.setMembership(BOB, "ban");
        room.assertRejected(room.member(BOB, BOB, "leave").build());
    }

    @Test
    void retractingAKnockFromV7() {
        TestRoom v6 = TestRoom.standard(RoomVersion.V6, "public");
        v6.setMembership(BOB, "knock");
        v6.assertRejected(v6.member(BOB, BOB, "leave").build());
        TestRoom v7 = TestRoom.standard(RoomVersion.V7, "public");
        v7.setMembership(BOB, "knock");
        v7.assertAllowed(v7.member(BOB, BOB, "leave").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void kickNeedsKickLevelAndMorePowerThanTarget(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.setMembership(BOB, "join").setMembership(CAROL, "join");
        room.assertAllowed(room.member(ALICE, BOB, "leave").build());
        // 4.5.4 default kick level 50: bob at 0 cannot kick carol at 0
        room.assertRejected(room.member(BOB, CAROL, "leave").build());
        // equal power
        String alice = version.privilegedCreators() ? "" : "'@alice:a.org':100,";
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':50,'@carol:c.org':50}}"));
        room.assertRejected(room.member(BOB, CAROL, "leave").build());
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':50,'@carol:c.org':49}}"));
        room.assertAllowed(room.member(BOB, CAROL, "leave").build());
        // 4.5.2 sender must be joined
        room.setMembership(BOB, "leave");
        room.assertRejected(room.member(BOB, CAROL, "leave").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void unbanNeedsBanLevel(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        String alice = version.privilegedCreators() ? "" : "'@alice:a.org':100,";
        room.setMembership(BOB, "join").setMembership(CAROL, "ban");
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':50},'kick':50,'ban':60}"));
        room.assertRejected(room.member(BOB, CAROL, "leave").build());
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':60},'kick':50,'ban':60}"));
        room.assertAllowed(room.member(BOB, CAROL, "leave").build());
        // and the kick level too
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':60},'kick':70,'ban':60}"));
        room.assertRejected(room.member(BOB, CAROL, "leave").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void ban(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.setMembership(BOB, "join");
        room.assertAllowed(room.member(ALICE, CAROL, "ban").build());
        room.assertRejected(room.member(BOB, CAROL, "ban").build());
        String alice = version.privilegedCreators() ? "" : "'@alice:a.org':100,";
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':50,'@carol:c.org':50},'ban':10}"));
        room.assertRejected(room.member(BOB, CAROL, "ban").build());
        room.setPowerLevels(parse("{'users':{" + alice + "'@bob:b.org':50,'@carol:c.org':10},'ban':10}"));
        room.assertAllowed(room.member(BOB, CAROL, "ban").build());
        // 4.6.1 sender must be joined
        room.setMembership(BOB, "invite");
        room.assertRejected(room.member(BOB, CAROL, "ban").build());
    }

    @Test
    void knockIsAnUnknownMembershipBeforeV7() {
        TestRoom room = TestRoom.standard(RoomVersion.V6, "knock");
        room.assertRejected(room.member(BOB, BOB, "knock").build());
    }

    @ParameterizedTest
    @FieldSource("FROM_7")
    void knock(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "knock");
        room.assertAllowed(room.member(BOB, BOB, "knock").build());
        // 4.7.2 for someone else
        room.assertRejected(room.member(ALICE, BOB, "knock").build());
        // 4.7.3 while banned, invited or joined
        for (String membership : List.of("ban", "invite", "join")) {
            room.setMembership(BOB, membership);
            room.assertRejected(room.member(BOB, BOB, "knock").build());
        }
        room.setMembership(BOB, "leave");
        room.assertAllowed(room.member(BOB, BOB, "knock").build());
        // 4.7.1 join rule
        TestRoom open = TestRoom.standard(version, "public");
        open.assertRejected(open.member(BOB, BOB, "knock").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void memberEventNeedsStateKeyAndKnownMembership(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.assertRejected(room.event("m.room.member", BOB, parse("{'membership':'join'}")).build());
        room.assertRejected(room.state("m.room.member", BOB, BOB, parse("{}")).build());
        room.assertRejected(room.member(BOB, BOB, "wander").build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void thirdPartyInviteChecksBeforeTheSignature(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "invite");
        room.put(room.state("m.room.third_party_invite", "tok", ALICE,
                parse("{'display_name':'b...','public_key':'AAAA','key_validity_url':'https://x'}")).build());
        String signed = "{'mxid':'@bob:b.org','token':'tok','signatures':{}}";
        // no signed; no token; mxid is not the state_key; no such token; sender is not the inviter
        room.assertRejected(room.member(ALICE, BOB, "invite")
                .content(parse("{'membership':'invite','third_party_invite':{}}")).build());
        room.assertRejected(tpInvite(room, ALICE, BOB, "{'mxid':'@bob:b.org'}"));
        room.assertRejected(tpInvite(room, ALICE, CAROL, signed));
        room.assertRejected(tpInvite(room, ALICE, BOB, signed.replace("'tok'", "'other'")));
        room.setMembership(CAROL, "join");
        room.assertRejected(tpInvite(room, CAROL, BOB, signed));
    }

    static Pdu tpInvite(TestRoom room, String sender, String target, String signed) {
        return room.member(sender, target, "invite")
                .content(parse("{'membership':'invite','third_party_invite':{'display_name':'b...','signed':"
                        + signed + "}}")).build();
    }

    @Test
    void authoriserIsIgnoredBeforeV8() {
        TestRoom room = TestRoom.standard(RoomVersion.V7, "public");
        Pdu join = room.member(BOB, BOB, "join")
                .content(parse("{'membership':'join','join_authorised_via_users_server':'@alice:a.org'}")).build();
        assertEquals(AuthResult.ALLOWED, AuthRules.check(RoomVersion.V7, join, room.state, (event, server) -> false));
        assertInstanceOf(AuthResult.Rejected.class,
                AuthRules.check(RoomVersion.V8, join, TestRoom.standard(RoomVersion.V8, "public").state,
                        (event, server) -> false));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void roomCreationSequencePassesEachStep(RoomVersion version) {
        TestRoom room = TestRoom.created(version, ALICE);
        Pdu join = room.member(ALICE, ALICE, "join").prev(room.create.eventId()).build();
        room.assertAllowed(join);
        room.put(join);
        String users = version.privilegedCreators() ? "{}" : "{'@alice:a.org':100}";
        Pdu powerLevels = room.state("m.room.power_levels", "", ALICE, parse("{'users':" + users + "}")).build();
        room.assertAllowed(powerLevels);
        room.put(powerLevels);
        Pdu joinRules = room.state("m.room.join_rules", "", ALICE, TestRoom.obj("join_rule", "invite")).build();
        room.assertAllowed(joinRules);
        room.put(joinRules);
        room.assertAllowed(room.member(ALICE, BOB, "invite").build());
        room.assertRejected(room.member(BOB, BOB, "join").build());
    }
}
