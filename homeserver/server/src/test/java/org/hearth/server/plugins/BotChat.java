package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;

/** A user's DM with a plugin's bot, as a client has it: invite the bot, write, read the bot's answer. */
record BotChat(TestServer.User user, String bot, String roomId) {
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger TXN = new AtomicInteger();

    /** Creates the DM and waits until the bot joined it. */
    static BotChat open(TestServer.User user, String botLocalpart) throws InterruptedException {
        String bot = "@" + botLocalpart + ":" + user.userId().substring(user.userId().indexOf(':') + 1);
        String dm = user.post(V3 + "/createRoom", json("is_direct", true, "preset", "trusted_private_chat",
                "invite", Json.arrayBuilder().add(bot))).assertStatus(200).json().getString("room_id");
        eventually(() -> user.get(V3 + "/rooms/" + enc(dm) + "/joined_members").json().getJsonObject("joined")
                .containsKey(bot) ? true : null);
        return new BotChat(user, bot, dm);
    }

    /** Sends the text and waits for the bot's answer to it (its first message after ours). */
    String ask(String text) throws InterruptedException {
        String sent = user.put(V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/b" + TXN.incrementAndGet(),
                json("msgtype", "m.text", "body", text)).assertStatus(200).json().getString("event_id");
        return eventually(() -> {
            var chunk = user.get(V3 + "/rooms/" + enc(roomId) + "/messages?dir=b&limit=50").json().getJsonArray("chunk");
            String answer = null;
            for (var v : chunk) { // newest first: the last bot message seen before reaching ours is the one after it
                JsonObject e = v.asJsonObject();
                if (e.getString("event_id").equals(sent)) {
                    return answer;
                }
                if (e.getString("sender").equals(bot) && e.getString("type").equals("m.room.message")) {
                    answer = e.getJsonObject("content").getString("body");
                }
            }
            return null;
        });
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
