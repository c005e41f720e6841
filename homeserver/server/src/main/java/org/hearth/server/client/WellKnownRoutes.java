package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import java.util.function.Supplier;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;

/**
 * Spec: Client-Server API "Server Discovery" ({@code /.well-known/matrix/client}) and Server-Server API
 * "Resolving server names" ({@code /.well-known/matrix/server}); mounted at /.well-known/matrix.
 */
public final class WellKnownRoutes implements HttpService {
    private final Supplier<String> clientBaseUrl;
    private final Supplier<String> federationAddress;
    private final HearthConfig.Voip voip;
    private final Supplier<java.util.List<String>> pluginServices;

    /**
     * Suppliers because both name listener ports, which are known only once the listeners are bound (port 0).
     *
     * @param clientBaseUrl     what clients should use as the homeserver base URL
     * @param voip              names the MatrixRTC LiveKit focus, advertised as {@code org.matrix.msc4143.rtc_foci}
     * @param federationAddress host:port where other servers reach our federation listener
     */
    public WellKnownRoutes(Supplier<String> clientBaseUrl, HearthConfig.Voip voip, Supplier<String> federationAddress) {
        this(clientBaseUrl, voip, java.util.List::of, federationAddress);
    }

    /** @param pluginServices LiveKit token services plugins serve (the calls plugin), advertised after the configured one */
    public WellKnownRoutes(Supplier<String> clientBaseUrl, HearthConfig.Voip voip,
                           Supplier<java.util.List<String>> pluginServices, Supplier<String> federationAddress) {
        this.clientBaseUrl = clientBaseUrl;
        this.voip = voip;
        this.pluginServices = pluginServices;
        this.federationAddress = federationAddress;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/client", this::client)
                .any("/client", MatrixErrors::wrongMethod)
                .get("/server", this::server)
                .any("/server", MatrixErrors::wrongMethod);
    }

    private void client(ServerRequest req, ServerResponse res) {
        var body = Json.createObjectBuilder()
                .add("m.homeserver", Json.createObjectBuilder().add("base_url", clientBaseUrl.get()));
        java.util.List<String> services = pluginServices.get();
        if (voip.livekitServiceUrl().isPresent() || !services.isEmpty()) {
            // Element Call still discovers its focus here (MSC4143's older discovery); rtc/transports is the newer one.
            body.add("org.matrix.msc4143.rtc_foci", VoipRoutes.livekitFoci(voip, services));
        }
        Reply.json(res, 200, body.build());
    }

    private void server(ServerRequest req, ServerResponse res) {
        Reply.json(res, 200, Json.createObjectBuilder().add("m.server", federationAddress.get()).build());
    }
}
