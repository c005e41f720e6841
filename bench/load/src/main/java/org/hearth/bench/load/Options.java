package org.hearth.bench.load;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every scenario takes: the target, how to register, and where results go. */
final class Options {
    @Option(names = "--url", required = true, description = "Client-Server base URL on this machine, e.g. http://127.0.0.1:8008")
    String url;

    @Option(names = "--registration", defaultValue = "dummy",
            description = "dummy (open registration, m.login.dummy) or shared-secret (Synapse's /_synapse/admin/v1/register)")
    String registration;

    @Option(names = "--shared-secret", description = "the server's registration shared secret (with --registration shared-secret)")
    String sharedSecret;

    @Option(names = "--pid", defaultValue = "0", description = "the server's PID for CPU and RSS (default: the owner of the port's listening socket)")
    long pid;

    @Option(names = "--db-port", defaultValue = "0", description = "port of the server's database on this machine (e.g. 3306): its process's CPU is reported too")
    int dbPort;

    @Option(names = "--full-gc", negatable = true, defaultValue = "true",
            description = "before reading a JVM server's RSS for memory per connection, ask it for a full GC with jcmd (--no-full-gc: never)")
    boolean fullGc;

    @Option(names = "--results", description = "Markdown file to append the result to (default: print only)")
    Path results;

    @Option(names = "--label", description = "what is measured, e.g. 'Hearth commit abc1234' (goes into the result title)")
    String label;

    @Option(names = "--server-note", description = "how the server was run (goes into the result)")
    String serverNote;

    @Option(names = "--server", description = "server name and version to report (default: asked from the server)")
    String serverName;

    @Option(names = "--concurrency", defaultValue = "16", description = "parallel requests while setting up users and rooms")
    int concurrency;

    @Option(names = "--max-seconds", defaultValue = "1800", description = "hard limit: the generator exits after this many seconds whatever happens")
    int maxSeconds;

    Homeserver.Registration registrationMethod() {
        return switch (registration) {
            case "dummy" -> Homeserver.Registration.DUMMY;
            case "shared-secret" -> {
                if (sharedSecret == null) {
                    throw new IllegalArgumentException("--registration shared-secret needs --shared-secret");
                }
                yield Homeserver.Registration.SHARED_SECRET;
            }
            default -> throw new IllegalArgumentException("--registration must be dummy or shared-secret");
        };
    }
}
