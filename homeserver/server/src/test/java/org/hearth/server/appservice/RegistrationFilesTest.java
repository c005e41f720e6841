package org.hearth.server.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.spec.id.ServerName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrationFilesTest {
    private static final ServerName SERVER = ServerName.parse("example.org");

    @TempDir
    Path dir;

    private Path file(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static String registration(String id, String token, String userRegex, String url) {
        return """
                id: %s
                url: %s
                as_token: as_%s
                hs_token: hs_%s
                sender_localpart: %sbot
                rate_limited: false
                receive_ephemeral: true
                de.sorunome.msc2409.push_ephemeral: true
                org.matrix.msc3202: true
                io.element.msc4190: true
                protocols: [irc]
                namespaces:
                  users:
                    - exclusive: true
                      regex: '%s'
                  aliases:
                    - exclusive: false
                      regex: '#_%s_.*:example\\.org'
                  rooms: []
                """.formatted(id, url, token, token, id, userRegex, id);
    }

    @Test
    void readsTheStandardFormatWithTheUnstableKeys() throws IOException {
        var services = RegistrationFiles.load(List.of(file("a.yaml",
                registration("irc", "t1", "@_irc_.*:example\\.org", "http://localhost:9000/"))), SERVER);
        var as = services.byAsToken("as_t1").orElseThrow();
        assertEquals("irc", as.id());
        assertEquals("http://localhost:9000", as.url());
        assertEquals("@ircbot:example.org", as.sender().value());
        assertFalse(as.rateLimited());
        assertTrue(as.receiveEphemeral() && as.msc3202() && as.msc4190());
        assertEquals(List.of("irc"), as.protocols());
        assertTrue(as.isInterestedInUser("@_irc_bob:example.org"));
        assertTrue(as.ownsUserExclusively("@_irc_bob:example.org"));
        assertFalse(as.isInterestedInUser("@bob:example.org"));
        assertTrue(as.isInterestedInAlias("#_irc_x:example.org"));
        assertFalse(as.ownsAliasExclusively("#_irc_x:example.org"));
    }

    @Test
    void aNullUrlIsAllowed() throws IOException {
        var services = RegistrationFiles.load(List.of(file("a.yaml", registration("bot", "t1", "@_bot_.*", "null"))), SERVER);
        assertNull(services.byId("bot").orElseThrow().url());
    }

    @Test
    void errorsNameTheFile() throws IOException {
        Path badRegex = file("bad-regex.yaml", registration("a", "t1", "@_a_(.*", "http://localhost:1"));
        var e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(badRegex), SERVER));
        assertTrue(e.getMessage().contains("bad-regex.yaml") && e.getMessage().contains("regex"), e.getMessage());

        Path badUrl = file("bad-url.yaml", registration("a", "t1", "@_a_.*", "ftp://localhost:1"));
        e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(badUrl), SERVER));
        assertTrue(e.getMessage().contains("bad-url.yaml") && e.getMessage().contains("url"), e.getMessage());

        Path missing = file("missing.yaml", "id: x\nurl: null\nas_token: a\nsender_localpart: b\n");
        e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(missing), SERVER));
        assertTrue(e.getMessage().contains("missing.yaml") && e.getMessage().contains("hs_token"), e.getMessage());

        Path notYaml = file("broken.yaml", "id: [unclosed\n");
        e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(notYaml), SERVER));
        assertTrue(e.getMessage().contains("broken.yaml"), e.getMessage());
    }

    @Test
    void duplicatesAndOverlapsAreRefused() throws IOException {
        Path a = file("a.yaml", registration("a", "t1", "@_a_.*", "http://localhost:1"));
        Path sameToken = file("b.yaml", registration("b", "t1", "@_b_.*", "http://localhost:1"));
        var e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(a, sameToken), SERVER));
        assertTrue(e.getMessage().contains("b.yaml") && e.getMessage().contains("token"), e.getMessage());

        Path sameId = file("c.yaml", registration("a", "t3", "@_c_.*", "http://localhost:1"));
        e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(a, sameId), SERVER));
        assertTrue(e.getMessage().contains("c.yaml") && e.getMessage().contains("'a'"), e.getMessage());

        Path overlap = file("d.yaml", registration("d", "t4", "@_a_.*", "http://localhost:1"));
        e = assertThrows(InvalidConfigException.class, () -> RegistrationFiles.load(List.of(a, overlap), SERVER));
        assertTrue(e.getMessage().contains("d.yaml") && e.getMessage().contains("exclusive"), e.getMessage());
    }
}
