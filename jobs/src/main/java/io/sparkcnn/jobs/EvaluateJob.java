package io.sparkcnn.jobs;

import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.driver.inference.EvaluateConfig;
import io.sparkcnn.driver.inference.EvaluateResult;
import io.sparkcnn.driver.inference.EvaluateRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * spark-submit entry point of the evaluate job: a model (run folder or model.zip) and a dataset in, a
 * report folder (report.json, report.md, report.html) out, written atomically. Without a dataset, a run
 * folder's own test split is re-cut and evaluated. Exit codes as the train job's.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = JobVersion.class,
        description = {"Evaluates a trained model on a dataset over the cluster and writes a report folder:",
                "report.json (metrics, per-class table, confusion matrix), report.md and report.html.",
                "Run through spark-submit (or scripts/submit.sh): the master comes from spark-submit."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:report written", "2:bad input: model, dataset, shape or class count, existing output",
                "75:another job is writing the same output (named; try again later)",
                "130/143:interrupted by Ctrl-C/SIGTERM (one line says how to continue)", "1:any other failure"})
public final class EvaluateJob implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI",
            description = "A run folder written by the train job, or the URI of a model.zip.")
    String model;

    @CommandLine.Mixin
    ConfigOptions configOptions;

    @Option(names = "--split", paramLabel = "all|test", defaultValue = "all",
            description = "With a dataset: evaluate all its images (default) or only the test split the train job would"
                    + " cut from it (same seed and fractions).")
    String split;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "URI", description = "Report folder to write.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing report folder.")
    boolean overwrite;

    public static void main(String[] args) {
        JobSupport.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine(new EvaluateJob()).execute(args);
    }

    static CommandLine commandLine(EvaluateJob job) {
        CommandLine cl = ConfigOptions.describe(JobSupport.commandLine(job),
                "Job config whose data.* keys name the dataset (as the train job reads it).",
                "A data.* key, e.g. --set data.format=image-folder --set data.path=hdfs:///data/val "
                        + "(repeatable). Without --config and --set, the run folder's own test split is used.");
        cl.getCommandSpec().usageMessage().footer(ConfigOptions.keysHelp("data."));
        return cl;
    }

    EvaluateConfig config() {
        EvaluateConfig.Split which = switch (split) {
            case "all" -> EvaluateConfig.Split.ALL;
            case "test" -> EvaluateConfig.Split.TEST;
            default -> throw new io.sparkcnn.driver.common.InvalidInputException("--split must be all or test, got '" + split + "'");
        };
        for (String o : configOptions.overrides()) {
            if (!o.trim().startsWith("data.")) {
                throw new io.sparkcnn.driver.common.InvalidInputException("--set " + o + ": evaluate reads only data.* keys");
            }
        }
        DataConfig data = null;
        boolean shapeSet = false;
        if (configOptions.given()) {
            data = ConfigLoader.load(configOptions.file(), configOptions.overrides()).data();
            for (String key : List.of("data.height", "data.width", "data.channels")) {
                shapeSet |= ConfigLoader.userSets(configOptions.file(), configOptions.overrides(), key);
            }
        }
        return new EvaluateConfig(model, data, shapeSet, which, output, overwrite);
    }

    @Override
    public Integer call() throws Exception {
        run(config());
        return 0;
    }

    /** Creates the SparkContext (master from spark-submit), evaluates, stops the context. */
    public static EvaluateResult run(EvaluateConfig config) throws Exception {
        return JobSupport.withSpark("sparkcnn-evaluate", sc -> EvaluateRunner.run(config, sc));
    }
}
