package io.sparkcnn.jobs;

import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.RetrainConfig;
import io.sparkcnn.driver.registry.RetrainResult;
import io.sparkcnn.driver.registry.RetrainRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * spark-submit entry point of scheduled retraining: trains a challenger into the model registry (warm
 * start from the champion), scores both on the registry's fixed holdout and promotes the challenger only
 * if it wins by the configured margin. Prints one decision line on stdout. The master comes from
 * spark-submit only.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = JobVersion.class,
        description = {"Retrains the classifier into a model registry and promotes the new model only if it beats the",
                "champion on the registry's fixed holdout. For cron, systemd timers, Airflow (see scripts/retrain.sh)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done: the challenger was promoted, or the champion kept (reason on stdout and in the history)",
                "2:bad input: invalid config key/value, dataset or holdout (a failure line is recorded when the lock was held)",
                "75:the registry is locked by another live run (EX_TEMPFAIL: try again later)",
                "1:any other failure (the champion is unchanged; a failure line is recorded)"})
public final class RetrainJob implements Callable<Integer> {
    public static final int EXIT_LOCKED = JobSupport.EXIT_LOCKED;

    @CommandLine.Mixin
    ConfigOptions configOptions;

    @Option(names = {"-r", "--registry"}, paramLabel = "URI", description = "Shortcut for --set registry.path=URI.")
    String registry;

    @Option(names = "--from-scratch", description = "Initialise the weights as configured instead of from the champion's.")
    boolean fromScratch;

    private RetrainResult result;

    public static void main(String[] args) {
        JobSupport.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine(new RetrainJob()).execute(args);
    }

    static CommandLine commandLine(RetrainJob job) {
        CommandLine cl = ConfigOptions.describe(JobSupport.commandLine(job), "Job config (HOCON). Keys below.",
                "Override one config key, e.g. --set data.path=hdfs:///images/dt=* (repeatable).");
        cl.getCommandSpec().usageMessage().footer(ConfigOptions.keysHelp(k -> !k.startsWith("output.")));
        return cl;
    }

    RetrainConfig config() {
        List<String> all = new ArrayList<>(configOptions.overrides());
        if (registry != null) {
            all.add("registry.path=" + registry);
        }
        return ConfigLoader.loadRetrain(configOptions.file(), all, fromScratch);
    }

    @Override
    public Integer call() throws Exception {
        RetrainConfig config = config();
        JobSupport.onInterrupt("the run is recorded as failed and the champion is unchanged; run the same command again"
                + " (a registry lock left behind is taken over after registry.lock-stale-after)");
        result = run(config);
        System.out.println(String.format(Locale.ROOT, "%s %s: %s", result.promoted() ? "PROMOTED" : "KEPT", result.runId(),
                result.reason()));
        return 0;
    }

    RetrainResult result() {
        return result;
    }

    /** Creates the SparkContext (master and resources from spark-submit), retrains, stops the context. */
    public static RetrainResult run(RetrainConfig config) throws Exception {
        return JobSupport.withSpark("sparkcnn-retrain", sc -> RetrainRunner.run(config, sc));
    }
}
