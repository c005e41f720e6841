package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.hearth.spec.Vectors;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** vectors/event_hashes.json: hashes, event IDs and room IDs of every event, and every signing case. */
class EventHashesVectorsTest {

    @TestFactory
    Stream<DynamicTest> computesHashesAndIdsOfEveryEvent() {
        return Vectors.cases("event_hashes.json", "cases").stream().map(c -> dynamicTest(c.getString("name"), () -> {
            RoomVersion version = RoomVersion.find(c.getString("room_version")).orElseThrow();
            JsonObject event = c.getJsonObject("event");
            assertEquals(c.getString("expected_content_hash"), ContentHash.compute(version, event));
            assertEquals(event.getJsonObject("hashes").getString("sha256"), ContentHash.compute(version, event));
            assertTrue(ContentHash.matches(version, event));
            assertEquals(c.getString("expected_reference_hash"), ReferenceHash.base64(version, event));
            assertEquals(c.getString("expected_event_id"), EventIds.compute(version, event));
            if (c.containsKey("expected_room_id")) {
                assertEquals(c.getString("expected_room_id"), EventIds.roomIdOfCreateEvent(version, event));
            }
            // Every vector event is a valid PDU of its room version.
            assertEquals(c.getString("expected_event_id"), EventFormat.validate(version, event).eventId());
        }));
    }

    @TestFactory
    Stream<DynamicTest> hashesAndSignsEveryEventExactly() {
        return Vectors.cases("event_hashes.json", "signing_cases").stream().map(c -> dynamicTest(c.getString("name"), () -> {
            RoomVersion version = RoomVersion.find(c.getString("room_version")).orElseThrow();
            SigningKey key = new SigningKey(c.getString("key_id"), UnpaddedBase64.decode(c.getString("seed")));
            assertEquals(c.getString("verify_key"), key.publicKeyBase64());
            String server = c.getString("server_name");
            JsonObject signed = EventSigning.hashAndSign(version, c.getJsonObject("input"), server, key);
            assertEquals(c.getString("expected_content_hash"), signed.getJsonObject("hashes").getString("sha256"));
            if (c.containsKey("expected_signing_bytes")) {
                byte[] signing = Signatures.signingBytes(Redaction.redact(version, signed), version.strictCanonicalJson());
                assertEquals(c.getString("expected_signing_bytes"), new String(signing, StandardCharsets.UTF_8));
            }
            assertEquals(Vectors.canonical(c.getJsonObject("expected_signed")), Vectors.canonical(signed));
            assertTrue(EventSigning.verify(version, signed, server, key.keyId(), key.publicKey()));
        }));
    }
}
