package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec "GET /.well-known/matrix/support" (support.yaml), from the {@code support} config; mounted at /.well-known/matrix. */
public final class SupportRoutes implements HttpService {
    private final JsonObject body;

    /** Nothing configured: 404, as the spec says when no support information is available. */
    public SupportRoutes(HearthConfig.Support support) {
        if (!support.configured()) {
            this.body = null;
            return;
        }
        var b = Json.objectBuilder();
        if (!support.contacts().isEmpty()) {
            var contacts = Json.arrayBuilder();
            for (var c : support.contacts()) {
                var contact = Json.objectBuilder().add("role", c.role());
                c.matrixId().ifPresent(id -> contact.add("matrix_id", id));
                c.emailAddress().ifPresent(email -> contact.add("email_address", email));
                contacts.add(contact);
            }
            b.add("contacts", contacts);
        }
        support.supportPage().ifPresent(page -> b.add("support_page", page));
        this.body = b.build();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/support", this::support).any("/support", MatrixErrors::wrongMethod);
    }

    private void support(ServerRequest req, ServerResponse res) {
        if (body == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No support information is configured on this server");
        }
        Reply.json(res, 200, body);
    }
}
