package org.hearth.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hearth spec <command>}: the pure protocol functions of spec/ on stdin/stdout. */
@Command(name = "spec", description = "Matrix protocol functions: JSON on stdin, JSON on stdout.")
public final class SpecCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
