package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Spec "GET /.well-known/matrix/support" from the support config. */
class SupportRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("support.support_page", "https://example.org/help")
            .with("support.contacts.0.role", "m.role.admin")
            .with("support.contacts.0.matrix_id", "@admin:example.org")
            .with("support.contacts.1.role", "m.role.security")
            .with("support.contacts.1.email_address", "security@example.org");

    @Test
    void contactsAndPageAreServed() {
        var body = server.client("GET", "/.well-known/matrix/support").assertStatus(200).json();
        assertEquals(Json.parseObject("""
                {"contacts":[{"role":"m.role.admin","matrix_id":"@admin:example.org"},
                 {"role":"m.role.security","email_address":"security@example.org"}],
                 "support_page":"https://example.org/help"}"""), body);
    }
}
