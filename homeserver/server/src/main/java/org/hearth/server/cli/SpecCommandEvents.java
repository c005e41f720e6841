package org.hearth.server.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.hearth.spec.event.ContentHash;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.event.Redaction;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/** The {@code spec} subcommands on single events: hashing, signing, event IDs, redaction. */
final class SpecCommandEvents {
    private SpecCommandEvents() {}

    @Command(name = "sign-event", mixinStandardHelpOptions = true,
            description = "Event -> the event with hashes.sha256 set and a signature over its redacted form.")
    static final class SignEvent implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--room-version", arity = "0..1", description = "room version, 1 to 12") String roomVersion;
        @Option(names = "--server", arity = "0..1", description = "signing server name") String server;
        @Option(names = "--key-id", arity = "0..1", description = "ed25519:<version>") String keyId;
        @Option(names = "--seed", arity = "0..1", description = "32-byte Ed25519 seed, unpadded base64") String seed;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                RoomVersion version = SpecCommand.roomVersion(roomVersion);
                String name = SpecCommand.serverName(server);
                var key = SpecCommand.signingKey(keyId, seed);
                var signed = EventSigning.hashAndSign(version, spec.readObject(), name, key);
                spec.write(CanonicalJson.encodeBytes(signed, version));
                return SpecCommand.OK;
            });
        }
    }

    @Command(name = "hash", mixinStandardHelpOptions = true,
            description = {"Event -> the event with hashes.sha256 set to its content hash.",
                    "Canonical JSON is strict unless --room-version names a version before 6."})
    static final class Hash implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--room-version", arity = "0..1", description = "room version (default: strict, as v6+)")
        String roomVersion;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                RoomVersion version = roomVersion == null ? RoomVersion.DEFAULT : SpecCommand.roomVersion(roomVersion);
                spec.write(CanonicalJson.encodeBytes(ContentHash.add(version, spec.readObject()), version));
                return SpecCommand.OK;
            });
        }
    }

    @Command(name = "event-id", mixinStandardHelpOptions = true,
            description = "Event -> its event ID as a JSON string (v1/v2: the event's own event_id).")
    static final class EventId implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--room-version", arity = "0..1", description = "room version, 1 to 12") String roomVersion;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                RoomVersion version = SpecCommand.roomVersion(roomVersion);
                spec.write(Json.string(EventIds.compute(version, spec.readObject())));
                return SpecCommand.OK;
            });
        }
    }

    @Command(name = "redact", mixinStandardHelpOptions = true,
            description = "Event -> the event redacted under the room version's rules (unsigned removed).")
    static final class Redact implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--room-version", arity = "0..1", description = "room version, 1 to 12") String roomVersion;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                RoomVersion version = SpecCommand.roomVersion(roomVersion);
                spec.write(CanonicalJson.encodeBytes(Redaction.redact(version, spec.readObject()), version));
                return SpecCommand.OK;
            });
        }
    }
}
