package io.sparkcnn.jobs;

import io.sparkcnn.driver.TrainJobResult;
import io.sparkcnn.driver.TrainRunner;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.output.RunFolder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * spark-submit entry point of the train job. {@code main} parses the command line into one validated
 * {@link TrainJobConfig} and calls {@link #run(TrainJobConfig)}. The Spark master comes from spark-submit only.
 * Exit codes: 0 done, 2 bad input (config key or dataset path named), 1 any other failure.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = JobVersion.class,
        description = {"Trains a CNN image classifier on Spark with parameter averaging and early stopping.",
                "Run through spark-submit (or scripts/submit.sh): the master comes from spark-submit."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:training finished, run folder written", "2:bad input: invalid config key/value or dataset",
                "75:another job is writing the same output (named; try again later)",
                "130/143:interrupted by Ctrl-C/SIGTERM (one line says how to continue)", "1:any other failure"})
public final class TrainJob implements Callable<Integer> {
    public static final int EXIT_BAD_INPUT = JobSupport.EXIT_BAD_INPUT;
    public static final int EXIT_FAILURE = JobSupport.EXIT_FAILURE;

    @CommandLine.Mixin
    ConfigOptions configOptions;

    @Option(names = {"-o", "--output"}, paramLabel = "URI", description = "Shortcut for --set output.path=URI.")
    String output;

    @Option(names = "--overwrite", description = "Shortcut for --set output.overwrite=true.")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "URI", description = {
            "Continue the unfinished run at URI (the run folder it would be written to) from its newest checkpoint.",
            "Without --config, the config recorded in the checkpoint is used; a config that differs is refused.",
            "(Running the original command again resumes too.)"})
    String resume;

    private TrainJobResult result;

    public static void main(String[] args) {
        JobSupport.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (main without System.exit, for tests). */
    public static int execute(String... args) {
        return commandLine(new TrainJob()).execute(args);
    }

    static CommandLine commandLine(TrainJob job) {
        CommandLine cl = ConfigOptions.describe(JobSupport.commandLine(job), "Job config (HOCON). Keys below.",
                "Override one config key, e.g. --set training.max-epochs=5 (repeatable; applied after --config).");
        cl.getCommandSpec().usageMessage().footer(ConfigOptions.keysHelp(""));
        return cl;
    }

    /** Parses the options into the job's config. */
    TrainJobConfig config() {
        List<String> all = new ArrayList<>(configOptions.overrides());
        if (output != null) {
            all.add("output.path=" + output);
        }
        if (overwrite) {
            all.add("output.overwrite=true");
        }
        if (resume == null) {
            return ConfigLoader.load(configOptions.file(), all);
        }
        String run = RunFolder.targetOf(resume);
        all.add("output.path=" + run);
        all.add("output.resume=true");
        if (!overwrite) { // a run started with --overwrite records output.overwrite=true; resuming it is no overwrite
            all.add("output.overwrite=false");
        }
        if (configOptions.file() != null) {
            return ConfigLoader.load(configOptions.file(), all);
        }
        // no SparkContext yet: the Hadoop settings spark-submit would give it (HADOOP_CONF_DIR, spark.hadoop.*)
        return ConfigLoader.fromString(TrainRunner.storedConfig(run, HadoopConf.fromSparkSubmit()), all.toArray(String[]::new));
    }

    @Override
    public Integer call() throws Exception {
        TrainJobConfig train = config();
        JobSupport.onInterrupt("to continue from its newest epoch checkpoint, run the same command again or: train --resume "
                + train.output().path());
        result = run(train);
        return 0;
    }

    TrainJobResult result() {
        return result;
    }

    /** Creates the SparkContext (master and resources from spark-submit), trains, stops the context. */
    public static TrainJobResult run(TrainJobConfig config) throws Exception {
        return JobSupport.withSpark("sparkcnn-train", sc -> TrainRunner.run(config, sc));
    }
}
