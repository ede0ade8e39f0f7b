package io.sparkcnn.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * One entry point for every job: {@code sparkcnn train|evaluate|predict|retrain|registry [options]}, the same
 * command classes as subcommands, so options, help, messages and exit codes are theirs. scripts/submit.sh runs
 * it; each job's own class (io.sparkcnn.jobs.TrainJob, ...) still works as a spark-submit --class.
 */
@Command(name = "sparkcnn", mixinStandardHelpOptions = true, versionProvider = JobVersion.class,
        description = {"Trains CNN image classifiers on Spark, evaluates and serves them, and keeps a model registry.",
                "Run through spark-submit (or scripts/submit.sh): the master comes from spark-submit."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "2:bad input (named), or no job given", "75:locked by another job (named; try again later)",
                "130/143:interrupted by Ctrl-C/SIGTERM (one line says how to continue)", "1:any other failure"})
public final class Sparkcnn implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        JobSupport.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (main without System.exit, for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** Each job's own command line (its help footer and option texts included) as a subcommand. */
    static CommandLine commandLine() {
        CommandLine cl = JobSupport.commandLine(new Sparkcnn());
        cl.addSubcommand(TrainJob.commandLine(new TrainJob()));
        cl.addSubcommand(EvaluateJob.commandLine(new EvaluateJob()));
        cl.addSubcommand(PredictJob.commandLine(new PredictJob()));
        cl.addSubcommand(RetrainJob.commandLine(new RetrainJob()));
        cl.addSubcommand(RegistryJob.commandLine(new RegistryJob()));
        return cl;
    }

    /** No job named: the usage, and exit 2 as for any other bad input. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return JobSupport.EXIT_BAD_INPUT;
    }
}
