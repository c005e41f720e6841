package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

/** Written from the PDU schemas of each room version and the client-server API's "Size limits". */
class EventFormatTest {
    private static final SigningKey KEY = SigningKey.generate("t");

    private static JsonObject message(RoomVersion version, String extra) {
        String refs = version == RoomVersion.V1 || version == RoomVersion.V2
                ? "[[\"$prev:hs.example\", {\"sha256\": \"abc\"}]]" : "[\"$prev\"]";
        String id = version == RoomVersion.V1 || version == RoomVersion.V2 ? "\"event_id\": \"$e:hs.example\"," : "";
        JsonObject event = Json.parseObject("{" + id + extra + """
                "type": "m.room.message", "room_id": "!r:hs.example", "sender": "@a:hs.example",
                "content": {"body": "hi"}, "origin_server_ts": 1, "depth": 2,
                "prev_events": %s, "auth_events": %s}""".formatted(refs, refs));
        return EventSigning.hashAndSign(version, event, "hs.example", KEY);
    }

    private static ErrorCode problem(RoomVersion version, JsonObject event) {
        return assertThrows(MatrixException.class, () -> EventFormat.validate(version, event)).code();
    }

    private static JsonObject with(JsonObject event, String key, String json) {
        return Json.objectBuilder(event).add(key, Json.parse(json)).build();
    }

    @Test
    void wellFormedEventsOfEveryVersionPass() {
        for (RoomVersion version : RoomVersion.ALL) {
            Pdu pdu = EventFormat.validate(version, message(version, ""));
            assertEquals(EventIds.compute(version, pdu.json()), pdu.eventId());
        }
    }

    @Test
    void requiredKeysAreRequired() {
        for (String key : new String[] {"type", "sender", "content", "origin_server_ts", "depth", "hashes",
                "signatures", "room_id", "prev_events", "auth_events"}) {
            JsonObject event = Json.objectBuilder(message(RoomVersion.V10, "")).remove(key).build();
            assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, event), key);
        }
        JsonObject noId = Json.objectBuilder(message(RoomVersion.V1, "")).remove("event_id").build();
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V1, noId));
    }

    @Test
    void eventIdIsNoLongerPartOfEventsFromVersion3() {
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V3, with(message(RoomVersion.V3, ""), "event_id", "\"$x\"")));
    }

    @Test
    void referenceShapesFollowTheVersion() {
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V1, with(message(RoomVersion.V1, ""), "prev_events", "[\"$x\"]")));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V4,
                with(message(RoomVersion.V4, ""), "auth_events", "[[\"$x\", {}]]")));
    }

    @Test
    void typesAreChecked() {
        JsonObject event = message(RoomVersion.V10, "");
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "depth", "\"2\"")));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "content", "[]")));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "state_key", "5")));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "sender", "\"alice\"")));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "hashes", "{}")));
    }

    @Test
    void keysAreLimitedTo255Bytes() {
        JsonObject event = message(RoomVersion.V10, "");
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "type", "\"" + "t".repeat(256) + "\"")));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V10, with(event, "state_key", "\"" + "é".repeat(128) + "\"")));
        EventFormat.validate(RoomVersion.V10, with(event, "state_key", "\"" + "k".repeat(255) + "\""));
    }

    @Test
    void eventsOver65536BytesAreTooLarge() {
        JsonObject event = message(RoomVersion.V10, "");
        JsonObject big = with(event, "content", "{\"body\": \"" + "x".repeat(65_536) + "\"}");
        assertEquals(ErrorCode.TOO_LARGE, problem(RoomVersion.V10, big));
    }

    @Test
    void floatsAreInvalidFromVersion6Only() {
        JsonObject v5 = EventSigning.hashAndSign(RoomVersion.V5,
                with(message(RoomVersion.V5, ""), "content", "{\"x\": 0.5}"), "hs.example", KEY);
        EventFormat.validate(RoomVersion.V5, v5);
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V6, with(message(RoomVersion.V6, ""), "content", "{\"x\": 0.5}")));
    }

    @Test
    void aVersion12CreateEventHasNoRoomId() {
        JsonObject create = Json.parseObject("""
                {"type": "m.room.create", "state_key": "", "sender": "@a:hs.example",
                 "content": {"room_version": "12"}, "origin_server_ts": 1, "depth": 1,
                 "prev_events": [], "auth_events": []}""");
        JsonObject signed = EventSigning.hashAndSign(RoomVersion.V12, create, "hs.example", KEY);
        Pdu pdu = EventFormat.validate(RoomVersion.V12, signed);
        assertEquals("!" + pdu.eventId().substring(1), EventIds.roomIdOfCreateEvent(RoomVersion.V12, signed));
        assertEquals(ErrorCode.BAD_JSON, problem(RoomVersion.V11,
                EventSigning.hashAndSign(RoomVersion.V11, create, "hs.example", KEY)));
    }

    @Test
    void signaturesSurviveRedactionAndHashesCatchEdits() {
        JsonObject event = message(RoomVersion.V11, "");
        assertTrue(EventSigning.verify(RoomVersion.V11, Redaction.redact(RoomVersion.V11, event), "hs.example",
                KEY.keyId(), KEY.publicKey()));
        JsonObject edited = with(event, "content", "{\"body\": \"bye\"}");
        assertTrue(EventSigning.verify(RoomVersion.V11, edited, "hs.example", KEY.keyId(), KEY.publicKey()));
        assertTrue(ContentHash.matches(RoomVersion.V11, event));
        assertEquals(false, ContentHash.matches(RoomVersion.V11, edited));
        assertEquals(false, EventSigning.verify(RoomVersion.V11, with(event, "type", "\"m.other\""), "hs.example",
                KEY.keyId(), KEY.publicKey()));
    }

    @Test
    void version5HashesAndSignsFloatsLikeSynapse() {
        JsonObject event = with(message(RoomVersion.V5, ""), "content", "{\"x\": 1e3}");
        JsonObject signed = EventSigning.hashAndSign(RoomVersion.V5, event, "hs.example", KEY);
        assertTrue(ContentHash.matches(RoomVersion.V5, signed));
        assertTrue(EventSigning.verify(RoomVersion.V5, signed, "hs.example", KEY.keyId(), KEY.publicKey()));
        assertThrows(MatrixException.class, () -> ContentHash.compute(RoomVersion.V6, signed));
    }
}
