package org.hearth.spec.e2ee;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class DirectToDeviceTest {
    private static final String SENDER = "@alice:a.example";
    private static final String TYPE = "m.room.encrypted";

    private static JsonObject content(int bytes) {
        return Json.objectBuilder().add("ciphertext", "c".repeat(bytes)).build();
    }

    @Test
    void aSmallSendIsOneEduUnderItsOwnMessageId() {
        var edus = DirectToDevice.edus(SENDER, TYPE, "m1", Map.of("@bob:b.example", Map.of("D1", content(10), "D2", content(10))));
        assertEquals(1, edus.size());
        var edu = edus.getFirst();
        assertEquals("m.direct_to_device", edu.getString("edu_type"));
        assertEquals("m1", edu.getJsonObject("content").getString("message_id"));
        assertEquals(Set.of("D1", "D2"), edu.getJsonObject("content").getJsonObject("messages").getJsonObject("@bob:b.example").keySet());
    }

    @Test
    void aLargeSendIsSplitIntoEdusWithinTheBoundCarryingEveryMessageOnce() {
        Map<String, Map<String, JsonObject>> messages = new LinkedHashMap<>();
        for (int u = 0; u < 5; u++) {
            Map<String, JsonObject> devices = new LinkedHashMap<>();
            for (int d = 0; d < 8; d++) {
                devices.put("DEV" + d, content(4_000 + u * 100 + d));
            }
            messages.put("@user" + u + ":b.example", devices);
        }
        List<JsonObject> edus = DirectToDevice.edus(SENDER, TYPE, "m2", messages);
        assertTrue(edus.size() >= 3, "40 messages of ~4 KB need at least 3 EDUs, got " + edus.size());
        Set<String> ids = new HashSet<>();
        Map<String, Map<String, JsonObject>> carried = new LinkedHashMap<>();
        for (JsonObject edu : edus) {
            assertTrue(DirectToDevice.bytes(edu) <= DirectToDevice.MAX_EDU_BYTES, "an EDU of " + DirectToDevice.bytes(edu) + " bytes");
            ids.add(edu.getJsonObject("content").getString("message_id"));
            edu.getJsonObject("content").getJsonObject("messages").forEach((user, devices) ->
                    devices.asJsonObject().forEach((device, c) -> {
                        var previous = carried.computeIfAbsent(user, x -> new LinkedHashMap<>()).put(device, c.asJsonObject());
                        assertEquals(null, previous, user + " " + device + " carried twice");
                    }));
        }
        assertEquals(edus.size(), ids.size(), "every part has its own message ID");
        assertEquals(messages, carried);
    }

    @Test
    void aMessageTooLargeForAnEduOfItsOwnIsTooLarge() {
        var big = Map.of("@bob:b.example", Map.of("D1", content(DirectToDevice.MAX_EDU_BYTES)));
        var e = assertThrows(MatrixException.class, () -> DirectToDevice.requireSendable(SENDER, TYPE, big));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(413, e.code().status());
        assertDoesNotThrow(() -> DirectToDevice.requireSendable(SENDER, TYPE,
                Map.of("@bob:b.example", Map.of("D1", content(60_000), "D2", content(60_000)))));
    }

    @Test
    void theLargestSendableMessageFitsInItsEdu() {
        // Grow one message to the bound: what requireSendable accepts, edus carries in an EDU within it.
        int size = 65_000;
        while (true) {
            var next = Map.of("@bob:b.example", Map.of("D1", content(size + 1)));
            try {
                DirectToDevice.requireSendable(SENDER, TYPE, next);
                size++;
            } catch (MatrixException e) {
                break;
            }
        }
        var messages = Map.of("@bob:b.example", Map.of("D1", content(size), "D2", content(10)));
        for (JsonObject edu : DirectToDevice.edus(SENDER, TYPE, "0123456789abcdef0123456789abcdef", messages)) {
            assertTrue(DirectToDevice.bytes(edu) <= DirectToDevice.MAX_EDU_BYTES, "an EDU of " + DirectToDevice.bytes(edu) + " bytes");
        }
    }
}
