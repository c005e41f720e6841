package org.hearth.federation.auth;

import jakarta.json.JsonObject;
import org.hearth.federation.http.FederationJson;

/** An inbound federation request whose {@code X-Matrix} signature verified: the server that sent it, and its body. */
public record FederationRequest(String origin, byte[] body) {
    /** The body as a JSON object ({@code M_NOT_JSON}/{@code M_BAD_JSON} otherwise). */
    public JsonObject json() {
        return FederationJson.object(body);
    }
}
