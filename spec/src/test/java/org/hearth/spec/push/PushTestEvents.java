package org.hearth.spec.push;

import jakarta.json.JsonObject;
import java.util.OptionalLong;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Events and contexts shared by the push tests; events are written as JSON text with ' for ". */
final class PushTestEvents {
    private PushTestEvents() {}

    static final UserId ALICE = UserId.parse("@alice:example.org");
    static final String BOB = "@bob:example.org";

    static JsonObject event(String jsonWithSingleQuotes) {
        return Json.parseObject(jsonWithSingleQuotes.replace('\'', '"'));
    }

    /** A message from Bob in a group room, with content given as JSON text. */
    static JsonObject message(String contentJson) {
        return event("{'type':'m.room.message','sender':'" + BOB + "','room_id':'!r:example.org',"
                + "'event_id':'$e','content':" + contentJson + "}");
    }

    /** Alice, named "Alice Smith" in a room of {@code members}; Bob at level 0; room notifications need 50. */
    static EvaluationContext context(long members) {
        return context(members, 0);
    }

    static EvaluationContext context(long members, long senderLevel) {
        return new EvaluationContext(ALICE, "Alice Smith", members, senderLevel,
                key -> key.equals("room") ? OptionalLong.of(50) : OptionalLong.empty());
    }
}
