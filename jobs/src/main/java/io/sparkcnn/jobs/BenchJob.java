package io.sparkcnn.jobs;

import io.sparkcnn.jobs.bench.Bench;
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
 * that joins every mode's JSON (plus the PyTorch reference's) into a table and bench.json.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = JobVersion.class,
        description = "Benchmark modes; scripts/bench.sh runs them all on one machine and prints the table.",
        subcommands = {BenchJob.Spark.class, BenchJob.SingleJvm.class, BenchJob.DataPath.class, BenchJob.Profile.class,
                BenchJob.Summarize.class})
public final class BenchJob implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return JobSupport.commandLine(new BenchJob()).execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return JobSupport.EXIT_BAD_INPUT;
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

        @Option(names = "--target", defaultValue = "0.90", description = "Test accuracy whose time to reach is reported. Default ${DEFAULT-VALUE}.")
        double target;

        @Option(names = "--name", required = true, description = "Name of this mode in the table, e.g. \"spark local[2]\".")
        String name;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Result JSON file to write.")
        File output;

        Bench.Settings settings() {
            return new Bench.Settings(job.config, job.overrides, epochs, target, name, output);
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
