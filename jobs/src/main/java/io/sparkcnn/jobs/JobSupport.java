package io.sparkcnn.jobs;

import io.sparkcnn.driver.InvalidInputException;
import io.sparkcnn.driver.registry.RegistryLockedException;
import io.sparkcnn.workers.LayerHelpers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** What the entry points share: exit codes and the mapping of failures to them. */
final class JobSupport {
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_FAILURE = 1;
    /** EX_TEMPFAIL: another run holds the registry lock; a scheduler may simply try again later. */
    static final int EXIT_LOCKED = 75;
    private static final Logger LOG = LoggerFactory.getLogger(JobSupport.class);

    private JobSupport() {
    }

    /** A command line whose bad input exits 2 with one clear line, and any other failure exits 1. */
    static CommandLine commandLine(Object job, String name) {
        // before any network is built or loaded in this (driver) JVM: DL4J's fast layer path, see LayerHelpers
        LayerHelpers.enable();
        CommandLine cl = new CommandLine(job);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidInputException) {
                commandLine.getErr().println(name + ": error: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (e instanceof RegistryLockedException) {
                commandLine.getErr().println(name + ": locked: " + e.getMessage());
                return EXIT_LOCKED;
            }
            LOG.error(name + " failed", e);
            commandLine.getErr().println(name + ": failed: " + e);
            return EXIT_FAILURE;
        });
        return cl;
    }
}
