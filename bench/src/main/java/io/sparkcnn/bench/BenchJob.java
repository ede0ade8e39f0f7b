package io.sparkcnn.bench;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.LayerHelpers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The performance benchmark's JVM side (scripts/bench.sh drives it, one process per mode): the Spark
 * epoch loop of the train job under whatever master spark-submit gives, a single-JVM
 * {@code MultiLayerNetwork.fit} baseline on the same data and net, the data path alone, and the summary
 * that joins every mode's JSON (plus the PyTorch reference's) into a table and bench.json. Its own module, so
 * none of it ships in the jobs' shaded jar; it runs with that jar beside it (scripts/submit.sh bench).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = BenchJob.Version.class,
        description = "Benchmark modes; scripts/bench.sh runs them all on one machine and prints the table.",
        subcommands = {BenchJob.Spark.class, BenchJob.SingleJvm.class, BenchJob.DataPath.class, BenchJob.Profile.class,
                BenchJob.RecipeCommand.class, BenchJob.Summarize.class})
public final class BenchJob implements Callable<Integer> {
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_FAILURE = 1;
    private static final Logger LOG = LoggerFactory.getLogger(BenchJob.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine(new BenchJob()).execute(args);
    }

    /** Exit codes as the jobs': bad input 2 with one line, any other failure 1. */
    static CommandLine commandLine(BenchJob bench) {
        // before any network is built: DL4J's fast layer path, as in the jobs (LayerHelpers), so the figures are theirs
        LayerHelpers.enable();
        CommandLine cl = new CommandLine(bench);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidInputException) {
                commandLine.getErr().println("bench: error: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            LOG.error("bench failed", e);
            commandLine.getErr().println("bench: failed: " + e);
            return EXIT_FAILURE;
        });
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_BAD_INPUT;
    }

    /** "sparkcnn bench VERSION": the version from the bench jar's manifest ("dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BenchJob.class.getPackage().getImplementationVersion();
            return new String[] {"sparkcnn bench " + (v == null ? "dev" : v)};
        }
    }

    /** The train job config every mode but summarize reads (data, net, optimizer, batch size, seed). */
    static final class JobConfig {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
                description = "Train job config naming the data, net, optimizer, batch size and seed (e.g. conf/demo.conf).")
        File config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
        List<String> overrides = new ArrayList<>();
    }

    /** What the training modes share: the job config (net, optimizer, batch, seed, data) and the run's length. */
    abstract static class Training implements Callable<Integer> {
        @CommandLine.Mixin
        JobConfig job;

        @Option(names = "--epochs", defaultValue = "5", description = "Epochs to train (no early stopping). Default ${DEFAULT-VALUE}.")
        int epochs;

        @Option(names = "--target", defaultValue = "0.90", split = ",", paramLabel = "ACC[,ACC...]",
                description = "Test accuracies whose time to reach is reported; the first is the table's column. Default ${DEFAULT-VALUE}.")
        List<Double> targets;

        @Option(names = "--name", required = true, description = "Name of this mode in the table, e.g. \"spark local[2]\".")
        String name;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Result JSON file to write.")
        File output;

        Bench.Settings settings() {
            return new Bench.Settings(job.config, job.overrides, epochs, targets, name, output);
        }
    }

    @Command(name = "spark", description = "The train job's Spark epoch loop (parameter averaging) under spark-submit's master.")
    static final class Spark extends Training {
        @Override
        public Integer call() throws Exception {
            Bench.spark(settings());
            return 0;
        }
    }

    @Command(name = "single-jvm", description = "MultiLayerNetwork.fit in this JVM on the same data, net and settings.")
    static final class SingleJvm extends Training {
        @Override
        public Integer call() throws Exception {
            Bench.singleJvm(settings());
            return 0;
        }
    }

    @Command(name = "data-path", description = "Images per second of decoding and batching alone (IDX and an image folder), one core.")
    static final class DataPath implements Callable<Integer> {
        @CommandLine.Mixin
        JobConfig job;

        @Option(names = "--images", defaultValue = "20000", description = "Images to decode from IDX. Default ${DEFAULT-VALUE}.")
        int images;

        @Option(names = "--folder-images", defaultValue = "3000",
                description = "Images written as PNG to a temporary image folder and decoded from it. Default ${DEFAULT-VALUE}.")
        int folderImages;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Result JSON file to write.")
        File output;

        @Override
        public Integer call() throws Exception {
            Bench.dataPath(job.config, job.overrides, images, folderImages, output);
            return 0;
        }
    }

    @Command(name = "profile", description = "Where one minibatch's time goes in a single JVM: fit, forward per layer, ND4J ops.")
    static final class Profile implements Callable<Integer> {
        @CommandLine.Mixin
        JobConfig job;

        @Option(names = "--batches", defaultValue = "100", description = "Timed minibatches. Default ${DEFAULT-VALUE}.")
        int batches;

        @Option(names = "--threads", defaultValue = "0", description = "ND4J threads (0: ND4J's default, every core).")
        int threads;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(Bench.profile(job.config, job.overrides, batches, threads));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "recipe", description = "Writes what the PyTorch reference needs to train what the job trains: layers,"
            + " optimizer, schedule, augmentation, regularisation and the job's own split (image folders).")
    static final class RecipeCommand implements Callable<Integer> {
        @CommandLine.Mixin
        JobConfig job;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Recipe JSON file to write.")
        File output;

        @Override
        public Integer call() throws Exception {
            Recipe.write(job.config, job.overrides, output);
            return 0;
        }
    }

    @Command(name = "summarize", description = "Joins the result JSON files of a folder into a table (stdout) and bench.json.")
    static final class Summarize implements Callable<Integer> {
        @Option(names = "--results", required = true, paramLabel = "DIR", description = "Folder of the modes' result JSON files.")
        File results;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "bench.json to write.")
        File output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            spec.commandLine().getOut().print(Bench.summarize(results, output));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
