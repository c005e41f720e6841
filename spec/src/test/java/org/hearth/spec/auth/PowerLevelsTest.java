package org.hearth.spec.auth;

import static org.hearth.spec.auth.TestRoom.ALICE;
import static org.hearth.spec.auth.TestRoom.BOB;
import static org.hearth.spec.auth.TestRoom.CAROL;
import static org.hearth.spec.auth.TestRoom.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.OptionalLong;
import java.util.Set;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

class PowerLevelsTest {

    @Test
    void defaultsWhenContentIsEmpty() {
        PowerLevels levels = PowerLevels.parse(RoomVersion.V10, parse("{}"));
        assertEquals(0, levels.usersDefault());
        assertEquals(0, levels.eventsDefault());
        assertEquals(50, levels.stateDefault());
        assertEquals(50, levels.ban());
        assertEquals(50, levels.kick());
        assertEquals(50, levels.redact());
        assertEquals(0, levels.invite());
        assertEquals(OptionalLong.of(50), levels.notificationLevel("room"));
        assertEquals(OptionalLong.empty(), levels.notificationLevel("other"));
        assertEquals(0, levels.userLevel(BOB));
    }

    @Test
    void explicitValues() {
        PowerLevels levels = PowerLevels.parse(RoomVersion.V10, parse(
                "{'users':{'@bob:b.org':75},'users_default':5,'events':{'m.room.name':20},"
                        + "'events_default':3,'state_default':40,'notifications':{'room':10}}"));
        assertEquals(75, levels.userLevel(BOB));
        assertEquals(5, levels.userLevel(CAROL));
        assertEquals(20, levels.requiredLevel("m.room.name", true));
        assertEquals(20, levels.requiredLevel("m.room.name", false));
        assertEquals(40, levels.requiredLevel("m.room.topic", true));
        assertEquals(3, levels.requiredLevel("m.room.message", false));
        assertEquals(OptionalLong.of(10), levels.notificationLevel("room"));
    }

    @Test
    void stringyValuesBeforeV10() {
        String content = "{'users':{'@bob:b.org':' +0100 ','@carol:c.org':'-7'},'ban':'000060'}";
        PowerLevels v9 = PowerLevels.parse(RoomVersion.V9, parse(content));
        assertEquals(100, v9.userLevel(BOB));
        assertEquals(-7, v9.userLevel(CAROL));
        assertEquals(60, v9.ban());
        // v10 does not read strings: defaults apply
        PowerLevels v10 = PowerLevels.parse(RoomVersion.V10, parse(content));
        assertEquals(0, v10.userLevel(BOB));
        assertEquals(50, v10.ban());
    }

    @Test
    void floatyValuesBeforeV6() {
        String content = "{'users':{'@bob:b.org':50.57,'@carol:c.org':5.114698E4}}";
        PowerLevels v5 = PowerLevels.parse(RoomVersion.V5, parse(content));
        assertEquals(50, v5.userLevel(BOB));
        assertEquals(51146, v5.userLevel(CAROL));
        PowerLevels v6 = PowerLevels.parse(RoomVersion.V6, parse(content));
        assertEquals(0, v6.userLevel(BOB));
    }

    @Test
    void readLevelRejectsWhatTheVersionCannotRead() {
        assertNull(PowerLevels.readLevel(RoomVersion.V9, parse("{'a':'1.5'}").get("a")));
        assertNull(PowerLevels.readLevel(RoomVersion.V9, parse("{'a':'1 2'}").get("a")));
        assertNull(PowerLevels.readLevel(RoomVersion.V9, parse("{'a':true}").get("a")));
        assertNull(PowerLevels.readLevel(RoomVersion.V10, parse("{'a':9007199254740992}").get("a")));
        assertEquals(9007199254740991L, PowerLevels.readLevel(RoomVersion.V10, parse("{'a':9007199254740991}").get("a")));
        assertNull(PowerLevels.readLevel(RoomVersion.V5, parse("{'a':1e400}").get("a")));
    }

    @Test
    void creatorHas100WithoutPowerLevelsEventUntilV11() {
        TestRoom v10 = TestRoom.created(RoomVersion.V10, ALICE);
        PowerLevels levels = PowerLevels.fromState(RoomVersion.V10, v10.state);
        assertEquals(100, levels.userLevel(ALICE));
        assertEquals(0, levels.userLevel(BOB));
        assertEquals(50, levels.stateDefault());
        TestRoom v11 = TestRoom.created(RoomVersion.V11, BOB);
        assertEquals(100, PowerLevels.fromState(RoomVersion.V11, v11.state).userLevel(BOB));
    }

    @Test
    void powerLevelsEventReplacesTheCreatorDefault() {
        TestRoom room = TestRoom.created(RoomVersion.V10, ALICE);
        room.setPowerLevels(parse("{'users':{'@bob:b.org':100}}"));
        PowerLevels levels = PowerLevels.fromState(RoomVersion.V10, room.state);
        assertEquals(0, levels.userLevel(ALICE));
        assertEquals(100, levels.userLevel(BOB));
    }

    @Test
    void v12CreatorsHaveInfinitePowerWithOrWithoutPowerLevels() {
        TestRoom room = TestRoom.created(RoomVersion.V12, ALICE, BOB);
        PowerLevels without = PowerLevels.fromState(RoomVersion.V12, room.state);
        assertEquals(PowerLevels.INFINITE, without.userLevel(ALICE));
        assertEquals(PowerLevels.INFINITE, without.userLevel(BOB));
        assertEquals(0, without.userLevel(CAROL));
        room.setPowerLevels(parse("{'users':{'@carol:c.org':100},'users_default':10}"));
        PowerLevels with = PowerLevels.fromState(RoomVersion.V12, room.state);
        assertEquals(PowerLevels.INFINITE, with.userLevel(BOB));
        assertEquals(100, with.userLevel(CAROL));
        assertEquals(10, with.userLevel("@dave:d.org"));
        assertEquals(Set.of(ALICE, BOB), with.privilegedCreators());
    }

    @Test
    void creatorsByVersion() {
        TestRoom v12 = TestRoom.created(RoomVersion.V12, ALICE, BOB, CAROL);
        assertEquals(Set.of(ALICE, BOB, CAROL), PowerLevels.creators(RoomVersion.V12, v12.create));
        assertEquals(ALICE, PowerLevels.creator(RoomVersion.V12, v12.create));
        TestRoom v11 = TestRoom.created(RoomVersion.V11, ALICE, BOB);
        assertEquals(Set.of(ALICE), PowerLevels.creators(RoomVersion.V11, v11.create));
        assertEquals(Set.of(), PowerLevels.fromState(RoomVersion.V11, v11.state).privilegedCreators());
    }
}
