package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

class PduVerificationTest {
    private static final SigningKey ORIGIN = SigningKey.generate("o");
    private static final SigningKey OTHER = SigningKey.generate("x");
    private static final long TS = 1_700_000_000_000L;

    // server -> keyId -> (key, valid until)
    private final Map<String, Map<String, Map.Entry<byte[], Long>>> known = new HashMap<>();
    private final PduVerification.KeyLookup lookup = (server, keyId, validAt) ->
            Optional.ofNullable(known.getOrDefault(server, Map.of()).get(keyId))
                    .filter(e -> e.getValue() >= validAt).map(Map.Entry::getKey);

    private void know(String server, SigningKey key, long validUntil) {
        known.computeIfAbsent(server, s -> new HashMap<>()).put(key.keyId(), Map.entry(key.publicKey(), validUntil));
    }

    private static JsonObject message(String sender) {
        return Json.parseObject("""
                {"type":"m.room.message","room_id":"!r:origin.example","sender":"%s","origin_server_ts":%d,
                 "depth":3,"prev_events":["$p"],"auth_events":["$a"],"content":{"msgtype":"m.text","body":"hi"}}
                """.formatted(sender, TS));
    }

    private static JsonObject signed(RoomVersion v, JsonObject event, String server, SigningKey key) {
        return EventSigning.hashAndSign(v, event, server, key);
    }

    @Test
    void acceptsAnEventSignedByTheSendersServer() {
        know("origin.example", ORIGIN, Long.MAX_VALUE);
        JsonObject e = signed(RoomVersion.V11, message("@a:origin.example"), "origin.example", ORIGIN);
        var outcome = assertInstanceOf(PduVerification.Outcome.Accepted.class, PduVerification.verify(RoomVersion.V11, e, lookup));
        assertEquals(e, outcome.event());
    }

    @Test
    void aChangedContentIsUsedRedacted() {
        know("origin.example", ORIGIN, Long.MAX_VALUE);
        JsonObject e = signed(RoomVersion.V11, message("@a:origin.example"), "origin.example", ORIGIN);
        JsonObject changed = Json.objectBuilder(e).add("content", Json.parseObject("{\"body\":\"changed\"}")).build();
        var outcome = assertInstanceOf(PduVerification.Outcome.Accepted.class,
                PduVerification.verify(RoomVersion.V11, changed, lookup));
        assertTrue(outcome.redacted());
        assertEquals(JsonObject.EMPTY_JSON_OBJECT, outcome.event().getJsonObject("content"));
    }

    @Test
    void dropsMissingWrongAndUnknownSignatures() {
        JsonObject byOther = signed(RoomVersion.V11, message("@a:origin.example"), "origin.example", OTHER);
        know("origin.example", ORIGIN, Long.MAX_VALUE);
        // Signed with a key the lookup does not know: skipped, so no usable signature.
        assertInstanceOf(PduVerification.Outcome.Dropped.class, PduVerification.verify(RoomVersion.V11, byOther, lookup));
        // A known key ID whose signature is not valid.
        know("origin.example", new SigningKey(OTHER.keyId(), ORIGIN.seed()), Long.MAX_VALUE);
        assertInstanceOf(PduVerification.Outcome.Dropped.class, PduVerification.verify(RoomVersion.V11, byOther, lookup));
        // Signed by another server than the sender's.
        JsonObject wrongServer = signed(RoomVersion.V11, message("@a:origin.example"), "elsewhere.example", ORIGIN);
        know("elsewhere.example", ORIGIN, Long.MAX_VALUE);
        assertInstanceOf(PduVerification.Outcome.Dropped.class, PduVerification.verify(RoomVersion.V11, wrongServer, lookup));
        // A changed field the redaction keeps (sender's origin_server_ts) breaks the signature.
        JsonObject good = signed(RoomVersion.V11, message("@a:origin.example"), "origin.example", ORIGIN);
        known.get("origin.example").put(ORIGIN.keyId(), Map.entry(ORIGIN.publicKey(), Long.MAX_VALUE));
        JsonObject moved = Json.objectBuilder(good).add("depth", 4).build();
        assertInstanceOf(PduVerification.Outcome.Dropped.class, PduVerification.verify(RoomVersion.V11, moved, lookup));
    }

    @Test
    void keyValidityCountsFromRoomVersion5() {
        // The key expired before the event was sent.
        know("origin.example", ORIGIN, TS - 1);
        JsonObject v5 = signed(RoomVersion.V5, message("@a:origin.example"), "origin.example", ORIGIN);
        assertInstanceOf(PduVerification.Outcome.Dropped.class, PduVerification.verify(RoomVersion.V5, v5, lookup));
        JsonObject v4 = signed(RoomVersion.V4, message("@a:origin.example"), "origin.example", ORIGIN);
        assertInstanceOf(PduVerification.Outcome.Accepted.class, PduVerification.verify(RoomVersion.V4, v4, lookup));
    }

    @Test
    void requiredSignersFollowTheRoomVersion() {
        JsonObject v1 = Json.objectBuilder(message("@a:origin.example")).add("event_id", "$x:ids.example").build();
        assertEquals(Set.of("origin.example", "ids.example"), PduVerification.requiredSigners(RoomVersion.V1, v1));
        assertEquals(Set.of("origin.example"), PduVerification.requiredSigners(RoomVersion.V3, v1));
        JsonObject restricted = Json.parseObject("""
                {"type":"m.room.member","state_key":"@j:joiner.example","sender":"@j:joiner.example",
                 "content":{"membership":"join","join_authorised_via_users_server":"@mod:resident.example"}}""");
        assertEquals(Set.of("joiner.example", "resident.example"), PduVerification.requiredSigners(RoomVersion.V8, restricted));
        assertEquals(Set.of("joiner.example"), PduVerification.requiredSigners(RoomVersion.V7, restricted));
        JsonObject thirdParty = Json.parseObject("""
                {"type":"m.room.member","state_key":"@i:invitee.example","sender":"@s:sender.example",
                 "content":{"membership":"invite","third_party_invite":{}}}""");
        assertEquals(Set.of(), PduVerification.requiredSigners(RoomVersion.V10, thirdParty));
    }

    @Test
    void roomVersion1NeedsTheEventIdsServerToo() {
        JsonObject v1 = Json.objectBuilder(message("@a:origin.example")).add("event_id", "$x:ids.example").build();
        JsonObject byOrigin = signed(RoomVersion.V1, v1, "origin.example", ORIGIN);
        know("origin.example", ORIGIN, Long.MAX_VALUE);
        assertInstanceOf(PduVerification.Outcome.Dropped.class, PduVerification.verify(RoomVersion.V1, byOrigin, lookup));
        JsonObject byBoth = EventSigning.sign(RoomVersion.V1, byOrigin, "ids.example", OTHER);
        know("ids.example", OTHER, Long.MAX_VALUE);
        assertInstanceOf(PduVerification.Outcome.Accepted.class, PduVerification.verify(RoomVersion.V1, byBoth, lookup));
    }
}
