package org.hearth.bench.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: one subcommand per scenario (bench/README.md). */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load and latency scenarios against any homeserver on this machine, over the standard Client-Server API.",
        subcommands = {Fanout.class, Throughput.class, Connections.class, InitialSync.class,
                FederationJoin.class, FederationThroughput.class})
public final class LoadMain implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new LoadMain()).setOverwrittenOptionsAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IllegalArgumentException) {
                        // A refused target or option: one line, no stack trace.
                        cmd.getErr().println("load: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
        System.exit(code);
    }
}
