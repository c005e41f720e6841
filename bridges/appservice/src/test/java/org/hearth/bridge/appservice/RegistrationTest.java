package org.hearth.bridge.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrationTest {
    @Test
    void generatedRegistrationsRoundTripThroughYaml(@TempDir Path dir) throws Exception {
        Registration r = Registration.generate("stickers", "http://127.0.0.1:9000", "stickerbot", "_tg_", "example.org")
                .withProtocols(List.of("telegram")).withAliases("#_tg_.*:example\\.org").withReceiveEphemeral(true);
        assertNotEquals(r.asToken(), r.hsToken());
        assertEquals(64, r.asToken().length());
        Path file = dir.resolve("reg.yaml");
        r.write(file);
        assertEquals(r, Registration.read(file));
        String yaml = Files.readString(file);
        assertTrue(yaml.contains("de.sorunome.msc2409.push_ephemeral: true"), yaml);
        assertTrue(java.util.regex.Pattern.compile(r.userRegex()).matcher("@_tg_bob:example.org").matches());
        assertTrue(!java.util.regex.Pattern.compile(r.userRegex()).matcher("@_tg_bob:exampleXorg").matches());
        // Fresh tokens every time.
        assertNotEquals(r.asToken(), Registration.generate("s", null, "b", "_", "x").asToken());
    }

    @Test
    void otherToolsFilesAreReadAndBadOnesRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mautrix.yaml"), """
                id: whatsapp
                url: null
                as_token: a
                hs_token: h
                sender_localpart: wabot
                rate_limited: false
                namespaces:
                  users:
                    - regex: '^@whatsapp_.*:example\\.org$'
                      exclusive: true
                """);
        Registration r = Registration.read(file);
        assertEquals(null, r.url());
        assertEquals(false, r.rateLimited());
        assertEquals("^@whatsapp_.*:example\\.org$", r.userRegex());
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "id: x\nas_token: same\nhs_token: same\nsender_localpart: b\n");
        assertThrows(IllegalArgumentException.class, () -> Registration.read(bad));
        Path missing = Files.writeString(dir.resolve("missing.yaml"), "id: x\n");
        assertThrows(IllegalArgumentException.class, () -> Registration.read(missing));
    }
}
