package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

/** hashSignAndIdentify, the one-pass form for events this server builds, against hashAndSign and EventIds. */
class EventSigningTest {
    private static final SigningKey KEY = SigningKey.generate("t");

    private static JsonObject event(RoomVersion version, String extra) {
        boolean v1 = version.eventIds() == org.hearth.spec.room.EventIdFormat.SERVER_CHOSEN;
        String refs = v1 ? "[[\"$prev:hs.example\", {\"sha256\": \"abc\"}]]" : "[\"$prev\"]";
        String id = v1 ? "\"event_id\": \"$e:hs.example\", \"origin\": \"hs.example\"," : "";
        return Json.parseObject("{" + id + extra + """
                "type": "m.room.member", "state_key": "@a:hs.example", "room_id": "!r:hs.example",
                "sender": "@a:hs.example", "content": {"membership": "join", "displayname": "A"},
                "origin_server_ts": 1, "depth": 2, "prev_events": %s, "auth_events": %s}""".formatted(refs, refs));
    }

    @Test
    void sameEventAndIdAsHashAndSignThenEventIdsInEveryVersion() {
        for (RoomVersion version : RoomVersion.ALL) {
            for (String extra : new String[] {"", "\"unsigned\": {\"age\": 5},",
                    "\"signatures\": {\"other.example\": {\"ed25519:o\": \"c2ln\"}, \"hs.example\": {\"ed25519:old\": \"b2xk\"}},"}) {
                JsonObject event = event(version, extra);
                JsonObject expected = EventSigning.hashAndSign(version, event, "hs.example", KEY);
                Pdu built = EventSigning.hashSignAndIdentify(version, event, "hs.example", KEY);
                assertEquals(expected, built.json(), version.id() + " " + extra);
                assertEquals(EventIds.compute(version, expected), built.eventId(), version.id() + " " + extra);
                assertEquals(built, EventFormat.validate(version, built));
            }
        }
    }
}
