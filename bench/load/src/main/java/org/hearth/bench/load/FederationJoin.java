package org.hearth.bench.load;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Joining a big room of another server: on A a room of M members and S state events; then, once per B server (each
 * a fresh server with a fresh database, so every run is a real first join over federation), a user of B joins it
 * through A: the join's wall time, the time until that user's /sync shows the room with its state, and the CPU
 * and peak RSS of both servers during it.
 */
@Command(name = "federation-join", mixinStandardHelpOptions = true,
        description = "a user of server B joins a room of server A with M members and S state events")
final class FederationJoin extends Federated {
    static final String FILLER_TYPE = "org.hearth.bench.filler";

    /** State events of a public_chat room with a name besides the members (create, power levels, join rules, history visibility, name). */
    static final int BASE_STATE = 5;

    @Option(names = "--members", defaultValue = "5000", description = "members of the room on A (registered on A)") int members;
    @Option(names = "--state", defaultValue = "20000",
            description = "state events of the room in all: members, the room's own and filler events (type " + FILLER_TYPE + ", distinct state keys)")
    int stateEvents;
    @Option(names = "--join-timeout", defaultValue = "900", description = "seconds a join (and its sync) may take") int joinTimeout;

    @Override
    Report run() throws Exception {
        List<Remote> remotes = remotes();
        List<Homeserver.Account> accounts = setup.users("m", members);
        Homeserver.Account creator = accounts.get(0);
        // The filler events come with createRoom's initial_state (one request: set-up speed); the members join after.
        JsonObject content = Json.createObjectBuilder().add("filler", "bench state " + setup.runId).build();
        int initial = Math.max(0, stateEvents - members - BASE_STATE);
        var initialState = Json.createArrayBuilder();
        for (int i = 0; i < initial; i++) {
            initialState.add(Json.createObjectBuilder().add("type", FILLER_TYPE).add("state_key", "k" + i).add("content", content));
        }
        long t0 = System.nanoTime();
        String room = hs.createRoom(creator, "bench " + setup.runId + " big", initialState.build());
        System.err.printf(Locale.ROOT, "createRoom with %d initial state events: %.1f s%n", initial, (System.nanoTime() - t0) / 1e9);
        String serverA = serverNameOf(creator.userId());
        setup.parallel("join on A", members - 1, i -> {
            hs.join(accounts.get(i + 1), room);
            return null;
        });
        // Counted, not asked: GET /rooms/{id}/state of a room this big is slow on Hearth (the prev_content of each
        // event is looked up on its own); B's sync below shows how many state events arrived.
        int fill = initial;
        int total = initial + members + BASE_STATE;
        System.err.println("room " + room + " on " + serverA + ": " + total + " state events, " + members + " members");

        Report report = new Report("federation-join").note(String.format(Locale.ROOT,
                "A room on server A (%s) with %,d members (registered on A, joined through A's C-S API) and %,d state "
                        + "events in all (%,d filler events of type %s, distinct state keys, all in createRoom's initial_state). Then, once per B server, a "
                        + "new user of B joins it with POST /join/{room}?server_name=A. Each B is a separate Hearth with "
                        + "its own fresh database, started before the run and idle until its join, so every run is a first "
                        + "join over federation (make_join, send_join with the full state and auth chain, B verifies and "
                        + "stores it). **join** = request start to the 200; **sync** = request start until that user's "
                        + "long-polling /sync (started before the join; no filter, so the full state) shows the room; CPU "
                        + "and peak RSS (sampled every 100 ms) of A and B from the join's start to the sync.",
                serverA, members, total, fill, FILLER_TYPE));
        List<Double> joinMs = new ArrayList<>(), syncMs = new ArrayList<>(), cpuA = new ArrayList<>(), cpuB = new ArrayList<>();
        for (int run = 0; run < remotes.size(); run++) {
            Remote b = remotes.get(run);
            Homeserver.Account user = registerOn(b.hs(), "joiner" + run);
            String since = SyncLoop.syncOnce(b.hs(), user, null, null);
            CountDownLatch seen = new CountDownLatch(1);
            AtomicLong seenAt = new AtomicLong();
            AtomicInteger stateSeen = new AtomicInteger();
            AtomicLong start = new AtomicLong();
            SyncLoop loop = new SyncLoop(b.hs(), user, null, 30_000, since).start((now, r) -> {
                if (!(r.getJsonObject("rooms") instanceof JsonObject rooms)
                        || !(rooms.get("join") instanceof JsonObject join) || !(join.get(room) instanceof JsonObject joined)) {
                    return true;
                }
                int n = 0;
                if (joined.getJsonObject("state") instanceof JsonObject st && st.get("events") instanceof JsonArray a) {
                    n += a.size();
                }
                if (joined.getJsonObject("timeline") instanceof JsonObject tl && tl.get("events") instanceof JsonArray a) {
                    n += (int) a.stream().filter(e -> e.asJsonObject().containsKey("state_key")).count();
                }
                stateSeen.set(n);
                seenAt.set(now);
                seen.countDown();
                return false;
            });
            Homeserver.sleep(500); // the long-poll is parked before the join starts
            process.ifPresent(ServerProcess::startSampling);
            b.process().ifPresent(ServerProcess::startSampling);
            double a0 = cpuNow(), b0 = cpuNow(b.process());
            start.set(System.nanoTime());
            joinVia(b.hs(), user, room, serverA, joinTimeout * 1000);
            long joined = System.nanoTime();
            boolean ok = seen.await(joinTimeout, TimeUnit.SECONDS);
            loop.stop();
            double da = cpuNow() - a0, db = cpuNow(b.process()) - b0;
            long peakA = process.map(ServerProcess::stopSampling).orElse(-1L);
            long peakB = b.process().map(ServerProcess::stopSampling).orElse(-1L);
            double j = (joined - start.get()) / 1e6, s = ok ? (seenAt.get() - start.get()) / 1e6 : Double.NaN;
            joinMs.add(j);
            syncMs.add(s);
            cpuA.add(da);
            cpuB.add(db);
            System.err.printf(Locale.ROOT, "run %d (%s): join %.0f ms, sync %.0f ms (%d state events)%n", run + 1, b.url(), j, s, stateSeen.get());
            report.row("run " + (run + 1) + " (B " + b.url() + "): join / sync ms", Report.ms(j) + " / " + Report.ms(s)
                    + " (sync showed " + stateSeen.get() + " state events" + (ok ? "" : "; NOT SEEN within the timeout") + ")")
                    .row("run " + (run + 1) + ": CPU A / B; peak RSS A / B", Report.num(da) + " s / " + Report.num(db) + " s; "
                            + Report.mb(peakA) + " / " + Report.mb(peakB));
        }
        report.row("**join ms, median (min-max) of " + remotes.size() + "**", median(joinMs))
                .row("**join until /sync shows the room, ms, median (min-max)**", median(syncMs))
                .row("server CPU s during a join, A / B, median", median(cpuA) + " / " + median(cpuB));
        return report;
    }

    static String median(List<Double> values) {
        List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
        if (v.isEmpty()) {
            return "-";
        }
        return Report.num(v.get((v.size() - 1) / 2)) + " (" + Report.num(v.get(0)) + "-" + Report.num(v.get(v.size() - 1)) + ")";
    }
}
