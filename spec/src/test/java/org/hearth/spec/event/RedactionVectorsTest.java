package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.hearth.spec.Vectors;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** vectors/redaction.json: every event of every room version. */
class RedactionVectorsTest {

    @TestFactory
    Stream<DynamicTest> redactsEveryEventAsExpected() {
        return Vectors.cases("redaction.json", "cases").stream().map(c -> dynamicTest(c.getString("name"), () -> {
            RoomVersion version = RoomVersion.find(c.getString("room_version")).orElseThrow();
            assertEquals(Vectors.canonical(c.getJsonObject("expected_redacted")),
                    Vectors.canonical(Redaction.redact(version, c.getJsonObject("event"))));
        }));
    }
}
