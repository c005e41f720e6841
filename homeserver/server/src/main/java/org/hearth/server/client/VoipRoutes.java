package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API "Voice over IP" ({@code GET /voip/turnServer}), mounted at /_matrix/client/v3 and r0; and
 * MSC4143's transport discovery ({@code GET /rtc/transports}), mounted at /_matrix/client/unstable/org.matrix.msc4143.
 * These are core routes, not a plugin's: a plugin may only serve under its own namespaces, and clients ask these
 * standard paths.
 */
public final class VoipRoutes implements HttpService {
    private final Authenticator auth;
    private final HearthConfig.Voip voip;
    private final Clock clock;
    private final java.util.function.Supplier<java.util.List<String>> pluginServices;

    public VoipRoutes(Authenticator auth, HearthConfig.Voip voip, Clock clock) {
        this(auth, voip, clock, java.util.List::of);
    }

    /** @param pluginServices LiveKit token services plugins serve (the calls plugin), listed after the configured one */
    public VoipRoutes(Authenticator auth, HearthConfig.Voip voip, Clock clock,
                      java.util.function.Supplier<java.util.List<String>> pluginServices) {
        this.auth = auth;
        this.voip = voip;
        this.clock = clock;
        this.pluginServices = pluginServices;
    }

    /** The turnServer route alone, for the v3 and r0 prefixes. */
    public HttpService turnServer() {
        return rules -> rules.get("/voip/turnServer", this::turnServer).any("/voip/turnServer", MatrixErrors::wrongMethod);
    }

    /** The transports route alone, for the MSC4143 unstable prefix. */
    public HttpService rtcTransports() {
        return rules -> rules.get("/rtc/transports", this::rtcTransports).any("/rtc/transports", MatrixErrors::wrongMethod);
    }

    @Override
    public void routing(HttpRules rules) {
        turnServer().routing(rules);
    }

    private void turnServer(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        if (!voip.turnConfigured()) {
            // As Synapse: no TURN server configured is an empty object, not an error.
            Reply.json(res, 200, Json.objectBuilder().build());
            return;
        }
        Reply.json(res, 200, credentials(who.userId(), voip, clock.millis()));
    }

    private void rtcTransports(ServerRequest req, ServerResponse res) {
        auth.require(req);
        Reply.json(res, 200, Json.objectBuilder().add("rtc_transports", livekitFoci(voip, pluginServices.get())).build());
    }

    /**
     * The LiveKit focus list of MSC4143/MSC4195: the configured LiveKit service URL first, then the services plugins
     * serve; empty when there is none.
     */
    public static JsonArrayBuilder livekitFoci(HearthConfig.Voip voip, java.util.List<String> pluginServices) {
        JsonArrayBuilder foci = Json.arrayBuilder();
        java.util.List<String> urls = new java.util.ArrayList<>();
        voip.livekitServiceUrl().ifPresent(urls::add);
        pluginServices.stream().filter(u -> !urls.contains(u)).forEach(urls::add);
        urls.forEach(url -> foci.add(Json.objectBuilder().add("type", "livekit").add("livekit_service_url", url)));
        return foci;
    }

    /**
     * coturn's shared-secret scheme ({@code use-auth-secret}): the username is {@code <expiry seconds>:<user ID>}
     * and the password base64(HMAC-SHA1(secret, username)), so coturn checks it without asking us.
     */
    static JsonObject credentials(UserId user, HearthConfig.Voip voip, long nowMs) {
        long ttlSeconds = voip.turnUserLifetimeMs() / 1000;
        String username = (nowMs / 1000 + ttlSeconds) + ":" + user.value();
        JsonArrayBuilder uris = Json.arrayBuilder();
        voip.turnUris().forEach(uris::add);
        return Json.objectBuilder()
                .add("username", username)
                .add("password", password(voip.turnSharedSecret().orElseThrow(), username))
                .add("uris", uris)
                .add("ttl", ttlSeconds)
                .build();
    }

    static String password(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }
}
