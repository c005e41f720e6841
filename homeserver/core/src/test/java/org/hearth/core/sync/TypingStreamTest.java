package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonString;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.junit.jupiter.api.Test;

class TypingStreamTest {
    private static final RoomId ROOM = RoomId.parse("!r:example.org");
    private static final UserId ALICE = UserId.parse("@alice:example.org");
    private static final UserId BOB = UserId.parse("@bob:example.org");

    private static final class MutableClock extends Clock {
        long millis = 1_700_000_000_000L;

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
    }

    private final MutableClock clock = new MutableClock();
    private final FakeMembership membership = new FakeMembership().join(ALICE, ROOM).join(BOB, ROOM);
    private final Notifier notifier = new Notifier(membership);
    private final TypingStream typing = new TypingStream(notifier, membership, clock);

    private List<String> typers(long from) {
        var event = typing.changes(Set.of(ROOM), from).get(ROOM);
        return event == null ? null : event.getJsonObject("content").getJsonArray("user_ids")
                .getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    @Test
    void typingShowsUntilItsTimeoutThenExpiresAndWakesTheRoom() throws Exception {
        long start = typing.currentPosition();
        typing.set(ALICE, ROOM, true, 10_000);
        assertEquals(List.of(ALICE.value()), typers(start));
        long afterSet = typing.currentPosition();
        assertEquals(null, typers(afterSet));

        clock.millis += 9_999;
        typing.expire();
        assertEquals(afterSet, typing.currentPosition());

        try (var bobWaits = notifier.register(BOB)) {
            clock.millis += 1;
            typing.expire();
            assertTrue(bobWaits.woken());
        }
        assertTrue(typing.currentPosition() > afterSet);
        assertEquals(List.of(), typers(afterSet));
    }

    @Test
    void stoppingTypingRemovesAtOnce() {
        typing.set(ALICE, ROOM, true, 30_000);
        typing.set(BOB, ROOM, true, 30_000);
        long pos = typing.currentPosition();
        typing.set(ALICE, ROOM, false, 0);
        assertEquals(List.of(BOB.value()), typers(pos));
    }

    @Test
    void timeoutIsCapped() {
        long pos = typing.currentPosition();
        typing.set(ALICE, ROOM, true, Long.MAX_VALUE);
        clock.millis += TypingStream.MAX_TIMEOUT_MS;
        typing.expire();
        assertEquals(List.of(), typers(pos + 1));
    }

    @Test
    void onlyMembersMayType() {
        var e = assertThrows(MatrixException.class,
                () -> typing.set(UserId.parse("@eve:example.org"), ROOM, true, 1000));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
    }
}
