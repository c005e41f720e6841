package org.hearth.server.cli;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/**
 * {@code hearth spec <command>}: the pure protocol functions of spec/ on stdin/stdout, for conformance
 * harnesses and debugging. Every command reads one JSON value from stdin and writes canonical JSON and a
 * newline to stdout. Bad input (unparsable JSON, wrong shape, bad or missing flags, unknown room version)
 * gives a one-line error on stderr and exit code 2.
 *
 * <p>Options are declared as plain optional strings and unknown arguments are collected rather than refused,
 * so that picocli never prints its multi-line usage for a bad flag: the command checks them itself and keeps
 * the one-line contract whichever {@link CommandLine} hosts it.
 */
@Command(name = "spec", mixinStandardHelpOptions = true,
        description = "Matrix protocol functions: JSON on stdin, JSON on stdout. Exit 2 on bad input.",
        subcommands = {
                SpecCommand.Canonical.class, SpecCommand.Sign.class, SpecCommand.Verify.class,
                SpecCommandEvents.SignEvent.class, SpecCommandEvents.Hash.class, SpecCommandEvents.EventId.class,
                SpecCommandEvents.Redact.class, SpecCommandRoom.Auth.class, SpecCommandRoom.Resolve.class})
public final class SpecCommand implements Callable<Integer> {
    /** Success; for {@code verify}, a valid signature. */
    static final int OK = 0;
    /** {@code verify} only: the signature is missing or invalid. */
    static final int INVALID = 1;
    /** Bad input or flags. */
    static final int BAD_INPUT = 2;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    /** Reads {@code System.in}, writes {@code System.out} and {@code System.err}. */
    public SpecCommand() {
        this(System.in, System.out, System.err);
    }

    /** With injected streams, for tests and embedding. */
    public SpecCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        err.println("error: missing command; try 'spec --help'");
        return BAD_INPUT;
    }

    /**
     * A picocli parameter exception handler keeping the one-line contract for the few errors picocli raises
     * before a command runs (e.g. an option given twice). Install it on the top-level command line with
     * {@code setParameterExceptionHandler(SpecCommand::oneLineError)}.
     */
    public static int oneLineError(CommandLine.ParameterException e, String[] args) {
        e.getCommandLine().getErr().println("error: " + String.valueOf(e.getMessage()).replaceAll("[\\r\\n]+", " "));
        e.getCommandLine().getErr().flush();
        return BAD_INPUT;
    }

    /** Thrown by commands for input the user must fix; becomes one stderr line and exit 2. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message, null, false, false);
        }
    }

    /** A command body: returns the exit code. */
    interface Body {
        int run();
    }

    /** Runs {@code body}, turning every input problem into one stderr line and exit 2. */
    int run(List<String> unmatched, Body body) {
        try {
            if (unmatched != null && !unmatched.isEmpty()) {
                throw new BadInput("unknown argument(s): " + String.join(" ", unmatched));
            }
            return body.run();
        } catch (BadInput e) {
            return fail(e.getMessage());
        } catch (MatrixException e) {
            return fail(e.code().errcode() + ": " + e.getMessage());
        } catch (UnsupportedOperationException e) {
            return fail("not available in this build: " + e.getMessage());
        } catch (RuntimeException e) {
            // Rule code fed a malformed event (e.g. a string where a number belongs) may fail in its own way;
            // exit 1 would read as "invalid signature" to verify's callers, so it is bad input too.
            return fail("cannot process the input: " + e);
        }
    }

    private int fail(String message) {
        err.println("error: " + (message == null ? "" : message.replaceAll("[\\r\\n]+", " ")));
        err.flush();
        return BAD_INPUT;
    }

    JsonValue readJson() {
        try {
            return Json.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonObject readObject() {
        if (readJson() instanceof JsonObject o) {
            return o;
        }
        throw new BadInput("input must be a JSON object");
    }

    void write(byte[] canonical) {
        out.write(canonical, 0, canonical.length);
        out.write('\n');
        out.flush();
    }

    void write(JsonValue value) {
        write(CanonicalJson.encodeBytes(value));
    }

    static String required(String value, String flag) {
        if (value == null || value.isEmpty()) {
            throw new BadInput("missing " + flag);
        }
        return value;
    }

    static RoomVersion roomVersion(String id) {
        return RoomVersion.find(required(id, "--room-version"))
                .orElseThrow(() -> new BadInput("unknown room version '" + id + "'"));
    }

    static String serverName(String value) {
        String name = required(value, "--server");
        if (!ServerName.isValid(name)) {
            throw new BadInput("--server '" + name + "' is not a server name");
        }
        return name;
    }

    static String keyId(String value) {
        String id = required(value, "--key-id");
        if (!id.startsWith(SigningKey.ALGORITHM + ":") || id.length() == SigningKey.ALGORITHM.length() + 1) {
            throw new BadInput("--key-id must be ed25519:<version>");
        }
        return id;
    }

    static byte[] key32(String value, String flag) {
        byte[] bytes;
        try {
            bytes = UnpaddedBase64.decode(required(value, flag));
        } catch (IllegalArgumentException e) {
            throw new BadInput(flag + " is not base64");
        }
        if (bytes.length != 32) {
            throw new BadInput(flag + " must decode to 32 bytes, got " + bytes.length);
        }
        return bytes;
    }

    static SigningKey signingKey(String keyId, String seed) {
        return new SigningKey(keyId(keyId), key32(seed, "--seed"));
    }

    @Command(name = "canonical", mixinStandardHelpOptions = true,
            description = "Any JSON value -> its canonical JSON (strict: no floats, integers within +-(2^53-1)).")
    static final class Canonical implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                spec.write(spec.readJson());
                return OK;
            });
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "JSON object -> the object with this server's signature added under 'signatures'.")
    static final class Sign implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--server", arity = "0..1", description = "signing server name") String server;
        @Option(names = "--key-id", arity = "0..1", description = "ed25519:<version>") String keyId;
        @Option(names = "--seed", arity = "0..1", description = "32-byte Ed25519 seed, unpadded base64") String seed;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                String name = serverName(server);
                SigningKey key = signingKey(keyId, seed);
                spec.write(Signatures.sign(spec.readObject(), name, key));
                return OK;
            });
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Signed JSON object -> exit 0 if it carries a valid signature by --server with --key-id,",
                    "exit 1 if not (missing, malformed or wrong signature, or input that is not an object).",
                    "Prints {\"valid\":true} or {\"valid\":false}. Exit 2 only for unparsable input or bad flags."})
    static final class Verify implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--server", arity = "0..1", description = "server whose signature to check") String server;
        @Option(names = "--key-id", arity = "0..1", description = "ed25519:<version>") String keyId;
        @Option(names = "--public-key", arity = "0..1", description = "32-byte public key, unpadded base64") String publicKey;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                String name = required(server, "--server");
                String id = keyId(keyId);
                byte[] key = key32(publicKey, "--public-key");
                boolean valid = spec.readJson() instanceof JsonObject o && Signatures.verify(o, name, id, key);
                spec.write(Json.objectBuilder().add("valid", valid).build());
                return valid ? OK : INVALID;
            });
        }
    }
}
