package org.hearth.plugins.calls;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.hearth.plugin.api.DirectMessageBot;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.plugin.api.PluginDatabase;
import org.pf4j.Extension;

/**
 * The bot, {@code @calls:<server>}: the caller's call history from an unmodified client, in a DM with it. It joins
 * when invited and answers {@code !help} and {@code !history [n]} (the newest n calls, default 10, at most 50), each
 * as the history route describes it ({@link CallHistory#entry}), as text. It reads the history table only.
 */
@Extension
public final class CallBot implements EventObserver {
    static final String LOCALPART = "calls";
    static final int DEFAULT_CALLS = 10;
    static final int MAX_CALLS = 50;
    static final String HELP = """
            I keep your call history (1:1 voice and video calls) and post a notice when you miss a call.
            !history [n]: your newest n calls (default 10, at most 50): who called whom, voice or video, when it \
            started, was answered and ended, how long it lasted, and missed calls.
            !help: this text""";

    private final Homeserver homeserver;
    private final DirectMessageBot bot;
    private final PluginDatabase db;

    public CallBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.db = homeserver.database();
        this.bot = new DirectMessageBot(homeserver, LOCALPART, (sender, body) -> command(sender, body.split("\\s+")));
    }

    @Override
    public void observe(ObservedEvent event) {
        bot.observe(event);
    }

    private String command(String user, String[] words) {
        return switch (words[0]) {
            case "!help" -> HELP;
            case "!history" -> {
                int n = DEFAULT_CALLS;
                if (words.length > 1) {
                    if (!words[1].matches("\\d{1,3}") || Integer.parseInt(words[1]) < 1
                            || Integer.parseInt(words[1]) > MAX_CALLS) {
                        yield "Use !history or !history <n>, n from 1 to " + MAX_CALLS + ".";
                    }
                    n = Integer.parseInt(words[1]);
                }
                yield history(user, n);
            }
            default -> "I do not know " + words[0] + ". " + HELP;
        };
    }

    private String history(String user, int n) {
        List<Map<String, Object>> rows = db.query("SELECT * FROM plugin_calls_history WHERE caller = ? OR callee = ?"
                + " ORDER BY started_ts DESC, call_id LIMIT ?", user, user, n);
        if (rows.isEmpty()) {
            return "You have no calls yet.";
        }
        StringBuilder out = new StringBuilder("Your calls, newest first:");
        for (Map<String, Object> row : rows) {
            out.append("\n- ").append(line(CallHistory.entry(row, user)));
        }
        return out.toString();
    }

    /** One call as text, e.g. "MISSED video call from @a:hs to @b:hs, started 2026-...Z, ended ...Z, 0 s". */
    static String line(JsonObject call) {
        boolean outgoing = call.getString("direction").equals("outgoing");
        StringBuilder out = new StringBuilder();
        if (call.getBoolean("missed")) {
            out.append("MISSED ");
        }
        out.append(call.getString("type")).append(" call ").append(outgoing ? "(outgoing)" : "(incoming)")
                .append(" from ").append(call.getString("caller"))
                .append(" to ").append(call.getString("callee", "unknown"))
                .append(": ").append(call.getString("outcome"))
                .append(", started ").append(time(call, "start_ts"));
        if (call.containsKey("answer_ts")) {
            out.append(", answered ").append(time(call, "answer_ts"));
        }
        if (call.containsKey("end_ts")) {
            out.append(", ended ").append(time(call, "end_ts"))
                    .append(", lasted ").append(duration(call.getJsonNumber("duration_ms").longValue()));
        }
        return out.toString();
    }

    private static String time(JsonObject call, String key) {
        return Instant.ofEpochMilli(call.getJsonNumber(key).longValue()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String duration(long ms) {
        long s = Math.round(ms / 1000.0);
        return s >= 3600 ? s / 3600 + " h " + s % 3600 / 60 + " min " + s % 60 + " s"
                : s >= 60 ? s / 60 + " min " + s % 60 + " s" : s + " s";
    }
}
