package org.hearth.bench.load;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * What the two federation scenarios share: server A is the usual target (--url), the B servers (--b-url, one or
 * more) are other homeservers on this machine that federate with A. Only the Client-Server API of each is used.
 */
abstract class Federated extends Scenario {
    @Option(names = "--b-url", required = true, split = ",",
            description = "Client-Server base URL of a second homeserver federating with --url (several: one per join run)")
    List<String> bUrls;

    @Option(names = "--b-pid", split = ",", description = "PIDs of the B servers, in --b-url order (default: the port's listener)")
    List<Long> bPids = List.of();

    @Option(names = "--b-shared-secret", description = "registration shared secret of the B servers (default: --shared-secret)")
    String bSharedSecret;

    /** One B server: its API and its process. */
    record Remote(String url, Homeserver hs, Optional<ServerProcess> process) {}

    List<Remote> remotes() throws IOException {
        List<Remote> out = new ArrayList<>();
        for (int i = 0; i < bUrls.size(); i++) {
            String url = bUrls.get(i);
            long pid = i < bPids.size() ? bPids.get(i) : 0;
            out.add(new Remote(url, new Homeserver(url, 1), ServerProcess.of(pid, URI.create(url).getPort())));
        }
        return out;
    }

    Homeserver.Account registerOn(Homeserver on, String localpart) throws IOException {
        String secret = bSharedSecret != null ? bSharedSecret : options.sharedSecret;
        return on.register(options.registrationMethod(), secret, "bench" + setup.runId + "_" + localpart, "bench-" + setup.runId);
    }

    static String serverNameOf(String userId) {
        return userId.substring(userId.indexOf(':') + 1);
    }

    /** Joins a room of another server over federation (POST /join/{room}?server_name=), with a long timeout. */
    static void joinVia(Homeserver on, Homeserver.Account a, String roomId, String via, int timeoutMs) throws IOException {
        HttpConnection c = on.newConnection();
        try {
            on.call(c, "join over federation", "POST", Homeserver.V3 + "/join/" + Homeserver.encode(roomId)
                    + "?server_name=" + Homeserver.encode(via), a.accessToken(), jakarta.json.JsonValue.EMPTY_JSON_OBJECT, timeoutMs);
        } finally {
            c.close();
        }
    }

    /** The room's current state as GET /rooms/{id}/state lists it. */
    static JsonArray state(Homeserver on, Homeserver.Account a, String roomId) throws IOException {
        HttpConnection c = on.newConnection();
        try {
            HttpConnection.Response r = c.exchange("GET", Homeserver.V3 + "/rooms/" + Homeserver.encode(roomId) + "/state",
                    a.accessToken(), null, 300_000);
            if (r.status() != 200) {
                throw new Homeserver.ApiException("state", r.status(), null, r.text());
            }
            try (var reader = Json.createReader(new java.io.ByteArrayInputStream(r.body()))) {
                return reader.readArray();
            }
        } finally {
            c.close();
        }
    }

    static String cpuOf(Optional<ServerProcess> p, double before) {
        return p.map(x -> Report.num(x.cpuSeconds() - before) + " s").orElse("-");
    }

    static double cpuNow(Optional<ServerProcess> p) {
        return p.map(ServerProcess::cpuSeconds).orElse(Double.NaN);
    }
}
