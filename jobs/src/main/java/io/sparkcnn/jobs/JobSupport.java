package io.sparkcnn.jobs;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.output.FolderLockedException;
import io.sparkcnn.workers.LayerHelpers;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What the entry points share: exit codes and the mapping of failures to them, the SparkContext's life, and what
 * Ctrl-C or SIGTERM prints.
 * On SIGINT or SIGTERM the JVM runs its shutdown hooks, among them Spark's, which stops the SparkContext under the
 * running job: every Spark call then fails with "Cannot call methods on a stopped SparkContext" or "SparkContext
 * was shut down", and the job's failure would print pages of stack traces. So a handler of both signals records the
 * signal and prints one line (what was interrupted and the command that continues it) before it hands the signal
 * on to the JVM's own handler (which starts the shutdown: exit code 128 + the signal's number, 130 for SIGINT and
 * 143 for SIGTERM, as shells report a process ended by a signal); the failure that follows is not printed.
 */
final class JobSupport {
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_FAILURE = 1;
    /** EX_TEMPFAIL: another run holds the registry lock or the output's lock; a scheduler may simply try again later. */
    static final int EXIT_LOCKED = 75;
    private static final Logger LOG = LoggerFactory.getLogger(JobSupport.class);

    private static volatile String interruptedBy;
    private static volatile String jobName = "job";
    private static volatile CommandLine current;
    private static final String RUN_AGAIN = "nothing was published; run the same command again";
    private static volatile String continueHint = RUN_AGAIN;
    private static boolean signalsInstalled;
    /** The Spark application of the running job (id, attempt, master), once its SparkContext is up. */
    private static volatile SparkApp application;
    /** The last failure line printed, for the ApplicationMaster's diagnostics in YARN cluster mode. */
    private static volatile String lastFailureLine;

    /** The Spark application a job runs as; {@code attempt} is null but on YARN. */
    record SparkApp(String id, String attempt, String master) {
        /**
         * What a failure line appends on YARN, where the line ends up in a container's log on some node: the
         * application, its attempt and the command that fetches its logs. Null elsewhere (the line is on the
         * user's terminal, and a local application id says nothing).
         */
        String suffix() {
            if (!master.startsWith("yarn")) {
                return null;
            }
            return " [YARN application " + id + (attempt == null ? "" : ", attempt " + attempt)
                    + "; its logs: yarn logs -applicationId " + id + "]";
        }
    }

    /**
     * The end of every job's main. A driver in a YARN ApplicationMaster (cluster mode) must not call System.exit:
     * the ApplicationMaster reports any exit, even 0, as a failure ("Shutdown hook called before final status was
     * reported"). There, success returns and a failure throws, so YARN records FAILED with our one line as the
     * diagnostics that spark-submit prints and `yarn application -status` shows. Elsewhere: System.exit(code).
     */
    static void exit(int code) {
        if (System.getProperty("spark.yarn.app.id") == null) { // set by the ApplicationMaster before the driver starts
            System.exit(code);
        }
        if (code != 0) {
            String line = lastFailureLine;
            throw new JobExitException(code, line != null ? line : jobName + ": exit code " + code);
        }
    }

    /** A failed job's exit code and line, thrown out of main in YARN cluster mode instead of System.exit. */
    static final class JobExitException extends RuntimeException {
        final int exitCode;

        JobExitException(int exitCode, String line) {
            super(line + " (exit code " + exitCode + ")");
            this.exitCode = exitCode;
        }
    }

    /**
     * The running job's Spark application: its SparkContext's once up; before that, in a YARN ApplicationMaster, the
     * application and attempt YARN gave it (a job can fail before its SparkContext exists); else null.
     */
    static SparkApp currentApplication() {
        SparkApp app = application;
        String yarnApp = System.getProperty("spark.yarn.app.id");
        if (app != null || yarnApp == null) {
            return app;
        }
        String attempt = null;
        String container = System.getenv("CONTAINER_ID");
        try {
            attempt = container == null ? null : String.valueOf(
                    org.apache.hadoop.yarn.api.records.ContainerId.fromString(container).getApplicationAttemptId().getAttemptId());
        } catch (IllegalArgumentException e) {
            // not a container id: name the application only
        }
        return new SparkApp(yarnApp, attempt, "yarn");
    }

    /** Prints a failure line, followed by the Spark application once there is one. */
    private static void printFailure(PrintWriter err, String line) {
        SparkApp app = currentApplication();
        String suffix = app == null ? null : app.suffix();
        String full = suffix == null ? line : line + suffix;
        lastFailureLine = full;
        err.println(full);
        err.flush();
    }

    private JobSupport() {
    }

    /** What the interruption line tells the user to run; a job sets it once its output is known. */
    static void onInterrupt(String hint) {
        continueHint = hint;
    }

    /** The signal that interrupted this JVM (INT or TERM), or null. */
    static String interruptedBy() {
        return interruptedBy;
    }

    /** The one line printed when the job is interrupted by {@code signal}. */
    static String interruptedLine(String job, String signal, String hint) {
        return job + ": interrupted by SIG" + signal + "; " + hint;
    }

    private static synchronized void installSignalHandlers() {
        if (signalsInstalled) {
            return;
        }
        signalsInstalled = true;
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                SignalHandler[] previous = new SignalHandler[1];
                previous[0] = Signal.handle(signal, sig -> {
                    if (interruptedBy == null) {
                        interruptedBy = sig.getName();
                        CommandLine cl = current;
                        PrintWriter out = cl == null ? null : cl.getErr();
                        String line = interruptedLine(jobName, sig.getName(), continueHint);
                        if (out != null) {
                            out.println(line);
                            out.flush();
                        } else {
                            System.err.println(line);
                        }
                        quietAfterInterrupt();
                    }
                    try {
                        previous[0].handle(sig); // the JVM's: shutdown hooks (Spark stops its context), exit 128 + n
                    } catch (RuntimeException e) {
                        Runtime.getRuntime().exit(128 + sig.getNumber());
                    }
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("Cannot handle SIG{} ({}): an interruption prints Spark's errors", name, e.toString());
            }
        }
    }

    /**
     * After the one line: Spark's threads (task-result getters, RPC waits) die with InterruptedExceptions and
     * "stopped SparkContext" errors as the shutdown stops the context under them. That is the interruption the
     * user was just told about, not news, so Spark's and Hadoop's loggers and uncaught thread deaths go quiet;
     * our own lines (io.sparkcnn: what stays unfinished, the lock released) still print.
     */
    private static void quietAfterInterrupt() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> { });
        try {
            for (String logger : new String[] {"org.apache.spark", "org.apache.hadoop", "org.sparkproject", "org.deeplearning4j",
                    "org.nd4j"}) {
                org.apache.logging.log4j.core.config.Configurator.setLevel(logger, org.apache.logging.log4j.Level.OFF);
            }
        } catch (LinkageError | RuntimeException e) {
            // another logging backend than Spark's log4j 2: its lines stay
        }
    }

    /**
     * A job's command line (or the sparkcnn command's, with the jobs as subcommands): bad input exits 2 with one
     * clear line, a lock 75, any other failure 1; each line names the job that failed.
     */
    static CommandLine commandLine(Object job) {
        // before any network is built or loaded in this (driver) JVM: DL4J's fast layer path, see LayerHelpers
        LayerHelpers.enable();
        CommandLine cl = new CommandLine(job);
        installSignalHandlers();
        cl.setExecutionStrategy(parseResult -> {
            // the interruption line names the job that runs, known only now under the sparkcnn command
            List<CommandLine> parsed = parseResult.asCommandLineList();
            CommandLine running = parsed.get(parsed.size() - 1);
            jobName = jobName(running);
            current = running;
            continueHint = RUN_AGAIN; // until the job knows better (train: the resume command)
            application = null; // until this job's SparkContext is up
            lastFailureLine = null;
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String name = jobName(commandLine);
            String signal = interruptedBy;
            if (signal != null) { // the stopped SparkContext's errors: the signal handler printed the one line
                LOG.debug("{} interrupted by SIG{}", name, signal, e);
                return 128 + new Signal(signal).getNumber();
            }
            if (e instanceof InvalidInputException) {
                printFailure(commandLine.getErr(), name + ": error: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (e instanceof FolderLockedException) {
                printFailure(commandLine.getErr(), name + ": locked: " + e.getMessage());
                return EXIT_LOCKED;
            }
            LOG.error(name + " failed", e);
            printFailure(commandLine.getErr(), name + ": failed: " + e);
            return EXIT_FAILURE;
        });
        return cl;
    }

    /**
     * The job a (sub)command belongs to: the command started on its own (registry for "registry list"), or, under
     * the sparkcnn command, the job below it ("sparkcnn registry list" is the registry job too).
     */
    static String jobName(CommandLine command) {
        List<CommandLine> path = new ArrayList<>();
        for (CommandLine c = command; c != null; c = c.getParent()) {
            path.add(0, c);
        }
        boolean underSparkcnn = path.size() > 1 && path.get(0).getCommandName().equals("sparkcnn");
        return path.get(underSparkcnn ? 1 : 0).getCommandName();
    }

    /** Work that needs the SparkContext. */
    @FunctionalInterface
    interface SparkWork<T> {
        T run(JavaSparkContext sc) throws Exception;
    }

    /**
     * Runs {@code work} on a new SparkContext called {@code appName} and stops the context afterwards, whatever
     * happens. The SparkConf sets no master: spark-submit decides it (and the resources).
     */
    static <T> T withSpark(String appName, SparkWork<T> work) throws Exception {
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName(appName));
        application = new SparkApp(sc.sc().applicationId(), sc.sc().applicationAttemptId().getOrElse(() -> null),
                sc.master());
        try {
            return work.run(sc);
        } finally {
            sc.stop();
        }
    }
}
