package org.hearth.bench.bare;

import io.helidon.webserver.WebServer;

/** The start-up baseline: Helidon answering /_matrix/client/versions with nothing else loaded. */
public final class BareServer {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8008;
        WebServer.builder()
                .port(port)
                .routing(r -> r.get("/_matrix/client/versions", (req, res) -> {
                    res.header("Content-Type", "application/json");
                    res.send("{\"versions\":[\"v1.11\"]}");
                }))
                .build()
                .start();
    }
}
