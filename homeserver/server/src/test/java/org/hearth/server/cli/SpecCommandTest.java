package org.hearth.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SpecCommandTest {
    // Spec appendices, "Cryptographic Test Vectors": the signing key and its public key.
    private static final String SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
    private static final String PUBLIC_KEY = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI";
    private static final String[] KEY = {"--server", "domain", "--key-id", "ed25519:1", "--seed", SEED};

    record Run(int exit, String out, String err) {
        JsonObject json() {
            return Json.parseObject(out);
        }
    }

    static Run run(String stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var command = new SpecCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit = new CommandLine(command).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String[] with(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    static void assertBadInput(Run r) {
        assertEquals(2, r.exit(), r::toString);
        assertEquals("", r.out(), "nothing on stdout");
        assertTrue(r.err().startsWith("error: ") && r.err().endsWith("\n"), r::err);
        assertEquals(1, r.err().lines().count(), () -> "one line: " + r.err());
    }

    @Test
    void canonicalSortsKeysAndDropsWhitespace() {
        Run r = run("{ \"b\": 1, \"a\": [true, null, \"\\u00e9\"] }", "canonical");
        assertEquals(0, r.exit());
        assertEquals("{\"a\":[true,null,\"é\"],\"b\":1}\n", r.out());
    }

    @Test
    void canonicalAcceptsAnyJsonValue() {
        assertEquals("\"x\"\n", run(" \"x\" ", "canonical").out());
        assertEquals("[0]\n", run("[-0]", "canonical").out());
    }

    @Test
    void canonicalRefusesGarbageFloatsAndDuplicateKeys() {
        assertBadInput(run("{\"a\":", "canonical"));
        assertBadInput(run("not json", "canonical"));
        assertBadInput(run("", "canonical"));
        assertBadInput(run("{\"a\":1.5}", "canonical"));
        assertBadInput(run("{\"a\":9007199254740992}", "canonical"));
        assertBadInput(run("{\"a\":1,\"a\":1}", "canonical"));
    }

    @Test
    void signReproducesTheSpecExample() {
        Run r = run("{\"one\": 1, \"two\": \"Two\"}", with(new String[] {"sign"}, KEY));
        assertEquals(0, r.exit(), r::err);
        assertEquals("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw",
                r.json().getJsonObject("signatures").getJsonObject("domain").getString("ed25519:1"));
        assertEquals(1, r.json().getInt("one"));
    }

    @Test
    void signRefusesBadFlagsAndNonObjects() {
        assertBadInput(run("{}", "sign", "--server", "domain", "--key-id", "ed25519:1"));
        assertBadInput(run("{}", "sign", "--server", "domain", "--key-id", "ed25519:1", "--seed", "!!!"));
        assertBadInput(run("{}", "sign", "--server", "domain", "--key-id", "ed25519:1", "--seed", "AAAA"));
        assertBadInput(run("{}", "sign", "--server", "domain", "--key-id", "rsa:1", "--seed", SEED));
        assertBadInput(run("{}", "sign", "--server", "bad_host!", "--key-id", "ed25519:1", "--seed", SEED));
        assertBadInput(run("{}", with(new String[] {"sign", "--bogus"}, KEY)));
        assertBadInput(run("{}", with(new String[] {"sign"}, KEY[0], KEY[1], KEY[2], KEY[3], KEY[4])));
        assertBadInput(run("[1]", with(new String[] {"sign"}, KEY)));
    }

    @Test
    void verifyExitsZeroForAValidSignatureAndOneOtherwise() {
        String signed = run("{\"one\": 1, \"two\": \"Two\"}", with(new String[] {"sign"}, KEY)).out();
        String[] verify = {"verify", "--server", "domain", "--key-id", "ed25519:1", "--public-key", PUBLIC_KEY};

        Run valid = run(signed, verify);
        assertEquals(0, valid.exit(), valid::err);
        assertEquals("{\"valid\":true}\n", valid.out());

        Run tampered = run(signed.replace("\"Two\"", "\"two\""), verify);
        assertEquals(1, tampered.exit());
        assertEquals("{\"valid\":false}\n", tampered.out());

        assertEquals(1, run("{}", verify).exit());
        assertEquals(1, run("[]", verify).exit());
        assertEquals(1, run(signed, "verify", "--server", "other", "--key-id", "ed25519:1",
                "--public-key", PUBLIC_KEY).exit());
    }

    @Test
    void verifyExitsTwoOnlyForUnparsableInputOrBadFlags() {
        assertBadInput(run("{", "verify", "--server", "domain", "--key-id", "ed25519:1", "--public-key", PUBLIC_KEY));
        assertBadInput(run("{}", "verify", "--server", "domain", "--key-id", "ed25519:1"));
        assertBadInput(run("{}", "verify", "--server", "domain", "--key-id", "ed25519:1", "--public-key", "abc"));
    }

    // Spec appendices, "Event Signing": the minimal event, signed by the key above (the vectors say v1-v10 agree).
    private static final String SPEC_EVENT = """
            {"room_id": "!x:domain", "sender": "@a:domain", "origin": "domain", "origin_server_ts": 1000000,
             "signatures": {}, "hashes": {}, "type": "X", "content": {}, "prev_events": [], "auth_events": [],
             "depth": 3, "unsigned": {"age_ts": 1000000}}""";

    @Test
    void signEventReproducesTheSpecExample() {
        Run r = run(SPEC_EVENT, with(new String[] {"sign-event", "--room-version", "1"}, KEY));
        assertEquals(0, r.exit(), r::err);
        JsonObject signed = r.json();
        assertEquals("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos", signed.getJsonObject("hashes").getString("sha256"));
        assertEquals("KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg",
                signed.getJsonObject("signatures").getJsonObject("domain").getString("ed25519:1"));
        assertEquals(1000000, signed.getJsonObject("unsigned").getInt("age_ts"));
    }

    @Test
    void signEventNeedsAKnownRoomVersion() {
        assertBadInput(run(SPEC_EVENT, with(new String[] {"sign-event"}, KEY)));
        assertBadInput(run(SPEC_EVENT, with(new String[] {"sign-event", "--room-version", "99"}, KEY)));
    }

    @Test
    void hashSetsTheContentHash() {
        Run r = run(SPEC_EVENT, "hash");
        assertEquals(0, r.exit(), r::err);
        assertEquals("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos", r.json().getJsonObject("hashes").getString("sha256"));
        assertBadInput(run("{\"a\": 0.5}", "hash"));
    }

    @Test
    void hashOfARoomVersion1EventAcceptsFloats() {
        Run r = run("{\"content\": {\"x\": 0.5}}", "hash", "--room-version", "1");
        assertEquals(0, r.exit(), r::err);
        assertTrue(r.out().contains("\"x\":0.5"), r::out);
    }

    @Test
    void eventIdFollowsTheRoomVersion() {
        Run v1 = run("{\"event_id\": \"$abc:domain\", \"type\": \"X\"}", "event-id", "--room-version", "2");
        assertEquals("\"$abc:domain\"\n", v1.out());
        assertBadInput(run("{\"type\": \"X\"}", "event-id", "--room-version", "1"));

        JsonObject event = Json.parseObject(SPEC_EVENT);
        String v3 = run(SPEC_EVENT, "event-id", "--room-version", "3").out();
        String v4 = run(SPEC_EVENT, "event-id", "--room-version", "4").out();
        assertEquals("\"" + EventIds.compute(RoomVersion.V3, event) + "\"\n", v3);
        assertEquals("\"" + EventIds.compute(RoomVersion.V4, event) + "\"\n", v4);
        assertTrue(v3.startsWith("\"$") && !v3.contains("-") && !v3.contains("_"));
        assertEquals(v3.replace('+', '-').replace('/', '_'), v4);
    }

    @Test
    void redactKeepsOnlyWhatTheRoomVersionAllows() {
        String member = """
                {"type": "m.room.member", "state_key": "@a:d", "sender": "@a:d", "origin": "d",
                 "content": {"membership": "join", "displayname": "A", "join_authorised_via_users_server": "@b:d"},
                 "unsigned": {"age": 1}}""";
        assertEquals("{\"content\":{\"membership\":\"join\"},\"origin\":\"d\",\"sender\":\"@a:d\",\"state_key\":\"@a:d\","
                + "\"type\":\"m.room.member\"}\n", run(member, "redact", "--room-version", "8").out());
        assertEquals("{\"content\":{\"join_authorised_via_users_server\":\"@b:d\",\"membership\":\"join\"},"
                + "\"sender\":\"@a:d\",\"state_key\":\"@a:d\",\"type\":\"m.room.member\"}\n",
                run(member, "redact", "--room-version", "11").out());
        assertBadInput(run(member, "redact", "--room-version", "v11"));
        assertBadInput(run("[]", "redact", "--room-version", "11"));
    }

    @Test
    void missingSubcommandIsBadInput() {
        assertBadInput(run("{}"));
    }

    private static final String CREATE_V10 = """
            {"event_id": "$create:d", "type": "m.room.create", "state_key": "", "sender": "@a:d",
             "room_id": "!r:d", "content": {"creator": "@a:d"}, "origin_server_ts": 1, "depth": 1,
             "prev_events": [], "auth_events": [], "hashes": {"sha256": "x"}, "signatures": {}}""";

    @Test
    void authRefusesMalformedInput() {
        assertBadInput(run("{}", "auth", "--room-version", "10"));
        assertBadInput(run("{\"event\": " + CREATE_V10 + ", \"auth_events\": {}}", "auth", "--room-version", "10"));
        assertBadInput(run("{\"event\": " + CREATE_V10 + ", \"auth_events\": [{\"type\": \"m.room.message\","
                + " \"content\": {}}]}", "auth", "--room-version", "10"));
    }

    @Test
    void authChecksACreateEvent() {
        String input = "{\"event\": " + CREATE_V10.replace("\"event_id\": \"$create:d\", ", "") + ", \"auth_events\": []}";
        Run r = run(input, "auth", "--room-version", "10");
        if (authRulesImplemented()) {
            assertEquals(0, r.exit(), r::err);
            assertEquals("{\"allowed\":true}\n", r.out());
        } else {
            assertBadInput(r);
            assertTrue(r.err().contains("not available"), r::err);
        }
    }

    @Test
    void resolveRefusesMalformedInput() {
        assertBadInput(run("{\"state_sets\": [[\"$create:d\"]], \"events\": []}", "resolve", "--room-version", "2"));
        assertBadInput(run("{\"state_sets\": [[\"$create:d\"]]}", "resolve", "--room-version", "2"));
        assertBadInput(run("{\"state_sets\": [\"$create:d\"], \"events\": [" + CREATE_V10 + "]}", "resolve",
                "--room-version", "2"));
        assertBadInput(run("{\"state_sets\": [[\"$create:d\"]], \"events\": [{\"type\": \"X\"}]}", "resolve",
                "--room-version", "2"));
    }

    private static boolean authRulesImplemented() {
        try {
            AuthRules.check(RoomVersion.V10, EventIds.pdu(RoomVersion.V10,
                    Json.parseObject(CREATE_V10)), Map.of());
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    @Test
    void theInstallableHandlerKeepsPicocliErrorsOnOneLine() {
        var err = new java.io.StringWriter();
        var cli = new CommandLine(new SpecCommand(new ByteArrayInputStream(new byte[0]), System.out, System.err));
        cli.setErr(new java.io.PrintWriter(err));
        cli.setParameterExceptionHandler(SpecCommand::oneLineError);
        assertEquals(2, cli.execute("redact", "--room-version", "1", "--room-version", "2"));
        assertTrue(err.toString().startsWith("error: "), err::toString);
        assertEquals(1, err.toString().lines().count(), err::toString);
    }

    @Test
    void helpListsEveryCommand() {
        var out = new java.io.StringWriter();
        var cli = new CommandLine(new SpecCommand());
        cli.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cli.execute("--help"));
        for (String name : List.of("canonical", "sign", "sign-event", "verify", "hash", "event-id", "redact", "auth",
                "resolve")) {
            assertTrue(out.toString().contains(name), name);
        }
    }
}
