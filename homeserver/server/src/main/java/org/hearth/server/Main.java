package org.hearth.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.logging.LogManager;
import java.util.concurrent.Callable;
import org.hearth.server.cli.GenerateConfigCommand;
import org.hearth.server.cli.RegisterUserCommand;
import org.hearth.server.cli.PluginsCommand;
import org.hearth.server.cli.RunCommand;
import org.hearth.server.cli.SpecCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hearth}: the command line of the homeserver jar. */
@Command(name = "hearth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {RunCommand.class, GenerateConfigCommand.class, RegisterUserCommand.class, SpecCommand.class,
                PluginsCommand.class},
        description = "Hearth, a Matrix homeserver.")
public final class Main implements Callable<Integer> {
    // Exit codes follow sysexits.h where one fits; picocli itself answers 2 for a wrong command line.
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNAVAILABLE = 69;
    public static final int EXIT_CANT_CREATE = 73;
    public static final int EXIT_CONFIG = 78;

    public static void main(String[] args) {
        configureLogging();
        int code = new CommandLine(new Main()).execute(args);
        // Only failures exit explicitly; a served run returns here after the shutdown hook has stopped everything.
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    // Our logging.properties unless the operator passes -Djava.util.logging.config.file. Logs go to stderr:
    // stdout carries the start banner and `hearth spec` output, which scripts read.
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        try (InputStream in = Main.class.getResourceAsStream("/logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            System.err.println("hearth: cannot read logging.properties: " + e.getMessage());
        }
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return EXIT_USAGE;
    }

    /** The jar's version (from the shaded manifest), or "dev" when run from classes. */
    public static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hearth " + version()};
        }
    }
}
