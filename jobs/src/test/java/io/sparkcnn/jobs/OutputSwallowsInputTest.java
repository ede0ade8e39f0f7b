package io.sparkcnn.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every job refuses an output that is, or contains, one of its inputs (with --overwrite it would delete the
 * dataset or the model): exit 2 with one line naming both, and the inputs still there.
 */
class OutputSwallowsInputTest {
    @TempDir
    static Path dir;
    static Path photos;
    static Path model;
    static List<String> photoFiles;

    record Run(int exit, String err) {
    }

    static Run run(CommandLine cl, String... args) {
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(cl.execute(args), err.toString());
    }

    static Run train(String... args) {
        return run(TrainJob.commandLine(new TrainJob()), args);
    }

    static Run predict(String... args) {
        return run(PredictJob.commandLine(new PredictJob()), args);
    }

    static Run evaluate(String... args) {
        return run(EvaluateJob.commandLine(new EvaluateJob()), args);
    }

    static Run retrain(String... args) {
        return run(RetrainJob.commandLine(new RetrainJob()), args);
    }

    static final String SMALL_NET = "model.layers=[{type=dense,units=8},{type=output}]";

    static String[] trainArgs(String output, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--set", "data.format=image-folder",
                "--set", "data.path=" + photos.toUri(), "--set", "data.height=8", "--set", "data.width=8",
                "--set", "data.channels=gray", "--set", "data.validation-fraction=0.25", "--set", "data.test-fraction=0.25",
                "--set", "model.preset=custom", "--set", SMALL_NET, "--set", "training.max-epochs=1",
                "--set", "training.batch-size-per-worker=4", "--output", output));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void dataAndModel() throws IOException {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
        photos = dir.resolve("data/photos");
        ShapeImages.write(FileSystem.getLocal(new Configuration()), photos.toString(), 6, 11);
        photoFiles = files(photos);
        model = dir.resolve("model");
        Run trained = train(trainArgs(model.toUri().toString()));
        assertEquals(0, trained.exit(), trained.err());
    }

    @AfterAll
    static void clear() {
        System.clearProperty("spark.master");
        System.clearProperty("spark.ui.enabled");
        System.clearProperty("spark.driver.host");
    }

    static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    static void assertInputsIntact() throws IOException {
        assertEquals(photoFiles, files(photos), "every image is still there");
        assertTrue(Files.isRegularFile(model.resolve("model.zip")), "the model is still there");
    }

    @Test
    void trainRefusesTheDatasetItsAncestorsAndAClassFolder() throws IOException {
        Run r = train(trainArgs(photos.toUri().toString(), "--overwrite"));
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exit(), r.err());
        assertEquals("train: error: output.path file:" + photos + " is the input file:" + photos + " (data.path):"
                + " refusing to write (and with --overwrite, to delete) it; choose another output", r.err().strip());
        r = train(trainArgs(dir.resolve("data").toUri().toString(), "--overwrite"));
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("output.path file:" + dir.resolve("data") + " contains the input file:" + photos
                + " (data.path)"), r.err());
        r = train(trainArgs(photos.resolve("bar").toUri().toString(), "--overwrite"));
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("lies inside the input") && r.err().contains("holds its image"), r.err());
        assertInputsIntact();
    }

    @Test
    void theRootOfTheFileSystemIsRefusedInsteadOfANullPointerException() throws IOException {
        Run r = train(trainArgs("/", "--overwrite"));
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exit(), r.err());
        assertEquals("train: error: output.path file:/ is the root of its file system: refusing to write (and with"
                + " --overwrite, to delete) it; choose a folder below it", r.err().strip());
        assertInputsIntact();
    }

    @Test
    void predictRefusesItsInputsAndItsModel() throws IOException {
        Run r = predict("--model", model.toUri().toString(), "--input", photos.toUri().toString(),
                "--output", photos.toUri().toString(), "--overwrite");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("predict: error: --output file:" + photos + " is the input file:" + photos
                + " (--input)"), r.err());
        r = predict("--model", model.toUri().toString(), "--input", photos.toUri().toString(),
                "--output", model.toUri().toString(), "--overwrite");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("is the input file:" + model + " (--model)"), r.err());
        Path list = Files.writeString(dir.resolve("list.txt"), photos.resolve("square/0.png").toUri() + "\n");
        r = predict("--model", model.toUri().toString(), "--input-list", list.toUri().toString(),
                "--output", photos.resolve("square").toUri().toString(), "--overwrite");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("contains the input file:" + photos.resolve("square/0.png")), r.err());
        assertInputsIntact();
    }

    @Test
    void evaluateRefusesTheModelAndTheDataset() throws IOException {
        Run r = evaluate("--model", model.toUri().toString(), "--output", model.toUri().toString(), "--overwrite");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("is the input file:" + model + " (--model)"), r.err());
        r = evaluate("--model", model.resolve("model.zip").toUri().toString(), "--set", "data.format=image-folder",
                "--set", "data.path=" + photos.toUri(), "--output", dir.resolve("data").toUri().toString(), "--overwrite");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("contains the input file:" + photos + " (data.path)"), r.err());
        assertInputsIntact();
    }

    @Test
    void retrainRefusesARegistryHoldingItsData() throws IOException {
        Run r = retrain("--set", "data.format=image-folder", "--set", "data.path=" + photos.toUri(),
                "--set", "registry.holdout.path=" + dir.resolve("holdout").toUri(),
                "--registry", dir.resolve("data").toUri().toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("registry.path file:" + dir.resolve("data") + " contains the input file:" + photos
                + " (data.path)"), r.err());
        assertTrue(Files.notExists(dir.resolve("data/runs")), "no registry created in it");
        assertInputsIntact();
    }

    @Test
    void aLayerStackWhosePoolingCollapsesTheMapIsAConfigError() {
        Run r = train(trainArgs(dir.resolve("collapsed").toUri().toString(), "--set",
                "model.layers=[{type=maxpool,size=2},{type=maxpool,size=2},{type=maxpool,size=2},"
                        + "{type=maxpool,size=2},{type=output}]"));
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exit(), r.err());
        assertEquals("train: error: model.layers: layer 3 (maxpool 2x2 stride 2) gets a 1x1x1 input: the window is"
                + " larger than the map (the " + "8x8x1" + " input is too small for the layers before it)",
                r.err().strip());
        assertTrue(Files.notExists(dir.resolve("collapsed")));
    }
}
