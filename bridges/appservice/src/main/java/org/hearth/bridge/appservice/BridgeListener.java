package org.hearth.bridge.appservice;

import io.helidon.webserver.WebServer;

/** The bridge's HTTP listener for the homeserver: the {@link TransactionReceiver} at the root. */
public final class BridgeListener implements AutoCloseable {
    private final WebServer server;

    private BridgeListener(WebServer server) {
        this.server = server;
    }

    /** {@code port} 0 takes any free port (see {@link #port()}). */
    public static BridgeListener start(String bindAddress, int port, TransactionReceiver receiver) {
        WebServer server = WebServer.builder().host(bindAddress).port(port)
                .routing(r -> r.register(receiver)).build().start();
        if (!server.isRunning()) {
            throw new IllegalStateException("the bridge could not listen on " + bindAddress + ":" + port);
        }
        return new BridgeListener(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
