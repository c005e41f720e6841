package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

/** Written from "Forming relationships between events", "Event replacements", "Event annotations", "Threading". */
class RelationTest {
    private static Pdu event(String type, String sender, String stateKey, String content) {
        String key = stateKey == null ? "" : ", \"state_key\": \"" + stateKey + "\"";
        return new Pdu("$e", Json.parseObject("""
                {"type": "%s", "sender": "%s", "room_id": "!r:x"%s, "content": %s}""".formatted(type, sender, key, content)));
    }

    private static Optional<Relation> of(String content) {
        return Relation.of(Json.parseObject(content));
    }

    @Test
    void wellFormedRelationsAreRead() {
        assertEquals(Optional.of(new Relation("m.thread", "$root", null)),
                of("{\"m.relates_to\": {\"rel_type\": \"m.thread\", \"event_id\": \"$root\"}}"));
        assertEquals(Optional.of(new Relation("m.annotation", "$t", "👍")),
                of("{\"m.relates_to\": {\"rel_type\": \"m.annotation\", \"event_id\": \"$t\", \"key\": \"👍\"}}"));
        assertEquals(Optional.of(new Relation("org.example.custom", "$t", null)),
                of("{\"m.relates_to\": {\"rel_type\": \"org.example.custom\", \"event_id\": \"$t\"}}"));
    }

    @Test
    void malformedRelationsAndRepliesAreNotRelations() {
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"m.in_reply_to\": {\"event_id\": \"$t\"}}}"));
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"rel_type\": 1, \"event_id\": \"$t\"}}"));
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"rel_type\": \"m.thread\", \"event_id\": \"nodollar\"}}"));
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"rel_type\": \"m.thread\"}}"));
        assertEquals(Optional.empty(), of("{\"m.relates_to\": \"m.thread\"}"));
        // An annotation needs a key; an edit needs m.new_content.
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"rel_type\": \"m.annotation\", \"event_id\": \"$t\"}}"));
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"rel_type\": \"m.replace\", \"event_id\": \"$t\"}}"));
        assertEquals(Optional.empty(), of("{\"m.relates_to\": {\"rel_type\": \"m.thread\", \"event_id\": \"$" + "a".repeat(255) + "\"}}"));
    }

    @Test
    void replacementValidity() {
        String edit = "{\"m.new_content\": {}, \"m.relates_to\": {\"rel_type\": \"m.replace\", \"event_id\": \"$e\"}}";
        Pdu original = event("m.room.message", "@a:x", null, "{\"body\": \"hi\"}");
        assertTrue(Relation.validReplacement(original, event("m.room.message", "@a:x", null, edit)));
        assertFalse(Relation.validReplacement(original, event("m.room.message", "@b:x", null, edit)), "other sender");
        assertFalse(Relation.validReplacement(original, event("m.sticker", "@a:x", null, edit)), "other type");
        assertFalse(Relation.validReplacement(event("m.room.message", "@a:x", null, edit),
                event("m.room.message", "@a:x", null, edit)), "an edit of an edit");
        assertFalse(Relation.validReplacement(event("m.room.topic", "@a:x", "", "{}"),
                event("m.room.topic", "@a:x", "", edit)), "state events");
    }

    @Test
    void aThreadRootIsNotItselfAChild() {
        assertTrue(Relation.validThreadRoot(event("m.room.message", "@a:x", null, "{}")));
        assertFalse(Relation.validThreadRoot(event("m.room.message", "@a:x", null,
                "{\"m.relates_to\": {\"rel_type\": \"m.thread\", \"event_id\": \"$r\"}}")));
    }
}
