package org.hearth.bench.load;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One user in R rooms with H messages each: an initial /sync, and one /messages page back from its prev_batch. */
@Command(name = "initial-sync", mixinStandardHelpOptions = true, description = "initial /sync and /messages of a user with history")
final class InitialSync extends Scenario {
    @Option(names = "--rooms", defaultValue = "50") int rooms;
    @Option(names = "--history", defaultValue = "100", description = "messages sent into each room beforehand") int history;
    @Option(names = "--runs", defaultValue = "5", description = "timed repetitions (median quoted)") int runs;
    @Option(names = "--page", defaultValue = "100", description = "/messages limit") int page;

    @Override
    Report run() throws Exception {
        Homeserver.Account user = setup.users("i", 1).get(0);
        List<String> roomIds = setup.parallel("createRoom", rooms, r -> hs.createRoom(user, "bench " + setup.runId + " " + r));
        setup.parallel("send history", rooms * history, i -> hs.send(user, roomIds.get(i % rooms),
                "h" + setup.runId + "." + i, "history " + setup.runId + " " + i + " " + "x".repeat(40)));

        List<Double> syncMs = new ArrayList<>();
        List<Double> messagesMs = new ArrayList<>();
        long syncBytes = 0;
        int roomsInSync = 0;
        int eventsInPage = 0;
        for (int run = 0; run < runs; run++) {
            long t = System.nanoTime();
            JsonObject sync = hs.call("initial sync", "GET", Homeserver.syncPath(null, 0, null), user.accessToken(), null);
            syncMs.add((System.nanoTime() - t) / 1e6);
            syncBytes = sync.toString().length();
            JsonObject join = sync.getJsonObject("rooms").getJsonObject("join");
            roomsInSync = join.size();
            String room = roomIds.get(run % rooms);
            String prevBatch = join.getJsonObject(room).getJsonObject("timeline").getString("prev_batch");
            t = System.nanoTime();
            JsonObject messages = hs.call("messages", "GET", Homeserver.V3 + "/rooms/" + Homeserver.encode(room)
                    + "/messages?dir=b&limit=" + page + "&from=" + Homeserver.encode(prevBatch), user.accessToken(), null);
            messagesMs.add((System.nanoTime() - t) / 1e6);
            eventsInPage = messages.getJsonArray("chunk").size();
        }
        return new Report("initial-sync")
                .note(String.format(Locale.ROOT, "One user in %d rooms (public_chat, created by the user) with %d "
                        + "messages each (%d events); initial /sync with the server's default filter; then "
                        + "/messages dir=b limit=%d from the timeline's prev_batch. %d runs: median (min-max).",
                        rooms, history, rooms * history, page, runs))
                .row("**initial /sync ms**", median(syncMs))
                .row("initial /sync: rooms / size (compact JSON)", roomsInSync + " / " + syncBytes / 1024 + " KiB")
                .row("**/messages page ms**", median(messagesMs))
                .row("/messages events in the page", eventsInPage);
    }

    static String median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return Report.ms(sorted.get(sorted.size() / 2)) + " (" + Report.ms(sorted.get(0)) + "-"
                + Report.ms(sorted.get(sorted.size() - 1)) + ")";
    }
}
