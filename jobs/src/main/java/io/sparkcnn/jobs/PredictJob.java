package io.sparkcnn.jobs;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.inference.PredictConfig;
import io.sparkcnn.driver.inference.PredictResult;
import io.sparkcnn.driver.inference.PredictRunner;
import io.sparkcnn.workers.ImageShape;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * spark-submit entry point of the predict job: a model and images in, CSV predictions out (one row per
 * image: path, predicted class, its probability, error, the probability of every class), written by the
 * executors into a folder that is renamed into place when complete. Exit codes as the train job's.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = JobVersion.class,
        description = {"Predicts the class of every image with a trained model over the cluster.",
                "Writes <output>/predictions/part-* (CSV, header in each part) and <output>/summary.json.",
                "An image that cannot be decoded gets a row with the error column filled, not a failed job."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:predictions written", "2:bad input: model, inputs, shape, existing output",
                "75:another job is writing the same output (named; try again later)",
                "130/143:interrupted by Ctrl-C/SIGTERM (one line says how to continue)", "1:any other failure"})
public final class PredictJob implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI",
            description = "A run folder written by the train job, or the URI of a model.zip.")
    String model;

    @Option(names = {"-i", "--input"}, paramLabel = "URI",
            description = "An image folder (listed recursively; png, jpg, jpeg, bmp, gif) or one image (repeatable).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--input-list", paramLabel = "URI",
            description = "A text file with one image URI per line (# comments allowed; repeatable).")
    List<String> inputLists = new ArrayList<>();

    @Option(names = "--height", description = "Input height; only for a model.zip without its manifest.json.")
    Integer height;

    @Option(names = "--width", description = "Input width; only for a model.zip without its manifest.json.")
    Integer width;

    @Option(names = "--channels", paramLabel = "gray|rgb",
            description = "Input channels; only for a model.zip without its manifest.json.")
    String channels;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Partitions to spread the images over; 0 means the cluster's default parallelism.")
    int partitions;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "URI", description = "Output folder to write.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output folder.")
    boolean overwrite;

    public static void main(String[] args) {
        JobSupport.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine(new PredictJob()).execute(args);
    }

    static CommandLine commandLine(PredictJob job) {
        return JobSupport.commandLine(job);
    }

    PredictConfig config() {
        if (inputs.isEmpty() && inputLists.isEmpty()) {
            throw new InvalidInputException("name the images: --input URI (folder or image) or --input-list URI");
        }
        ImageShape shape = null;
        if (height != null || width != null || channels != null) {
            if (height == null || width == null || channels == null) {
                throw new InvalidInputException("--height, --width and --channels go together");
            }
            if (height < 1 || width < 1) {
                throw new InvalidInputException("--height and --width must be >= 1, got " + height + "x" + width);
            }
            int c = switch (channels) {
                case "gray" -> 1;
                case "rgb" -> 3;
                default -> throw new InvalidInputException("--channels must be gray or rgb, got '" + channels + "'");
            };
            shape = new ImageShape(c, height, width);
        }
        if (partitions < 0) {
            throw new InvalidInputException("--partitions must be 0 or more, got " + partitions);
        }
        return new PredictConfig(model, inputs, inputLists, shape, partitions, output, overwrite);
    }

    @Override
    public Integer call() throws Exception {
        run(config());
        return 0;
    }

    /** Creates the SparkContext (master from spark-submit), predicts, stops the context. */
    public static PredictResult run(PredictConfig config) throws Exception {
        return JobSupport.withSpark("sparkcnn-predict", sc -> PredictRunner.run(config, sc));
    }
}
