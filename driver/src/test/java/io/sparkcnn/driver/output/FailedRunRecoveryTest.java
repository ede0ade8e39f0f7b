package io.sparkcnn.driver.output;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.TrainJobResult;
import io.sparkcnn.driver.TrainRunner;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.inference.EvaluateConfig;
import io.sparkcnn.driver.inference.EvaluateRunner;
import io.sparkcnn.driver.inference.PredictConfig;
import io.sparkcnn.driver.inference.PredictResult;
import io.sparkcnn.driver.inference.PredictRunner;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every job's failure leaves a state the same command recovers from (issue 14, items 6 and 8): predict and
 * evaluate, which have nothing to resume, leave no unfinished folder behind (and discard one a killed run left);
 * a train run started with overwrite and interrupted after its checkpoints is resumed by the same command, or by
 * --resume (output.resume without overwrite), and still replaces the old output.
 */
class FailedRunRecoveryTest {
    @TempDir
    static Path dir;
    static Path images;
    static String model;
    static final int PER_CLASS = 8;

    @BeforeAll
    static void imagesAndModel() throws Exception {
        FlakyFileSystem.register(LocalSpark.get().hadoopConfiguration());
        images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(3);
        for (int c = 0; c < 2; c++) {
            Path folder = Files.createDirectories(images.resolve(c == 0 ? "dark" : "light"));
            for (int i = 0; i < PER_CLASS; i++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        img.getRaster().setSample(x, y, 0, (c == 0 ? 20 : 220) + random.nextInt(16));
                    }
                }
                ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
            }
        }
        model = TrainRunner.run(config(dir.resolve("model").toUri().toString(), 1), LocalSpark.get()).runPath();
    }

    @AfterEach
    void healthy() {
        FlakyFileSystem.reset();
    }

    static TrainJobConfig config(String output, int epochs, String... more) {
        List<String> overrides = new ArrayList<>(List.of("data.path=" + images.toUri(), "output.path=" + output,
                "training.max-epochs=" + epochs));
        overrides.addAll(List.of(more));
        return ConfigLoader.fromString("""
                data { format = image-folder, height = 8, width = 8, channels = gray,
                       validation-fraction = 0.25, test-fraction = 0.25 }
                model { preset = custom, layers = [ { type = dense, units = 8 }, { type = output } ] }
                training { batch-size-per-worker = 4 }
                """, overrides.toArray(String[]::new));
    }

    static Path unfinished(Path target) {
        return target.resolveSibling("." + target.getFileName() + RunFolder.UNFINISHED);
    }

    /** A --input-list naming every image through flaky://, so reads can be made to fail inside the tasks. */
    static String inputList() throws Exception {
        List<String> lines = new ArrayList<>();
        try (var files = Files.walk(images)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> lines.add(FlakyFileSystem.uri(f)));
        }
        Path list = dir.resolve("list.txt");
        Files.write(list, lines);
        return list.toUri().toString();
    }

    @Test
    void aPredictThatFailsInAnExecutorLeavesNothingAndTheSameCommandThenSucceeds() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        Path out = dir.resolve("predicted");
        PredictConfig command = new PredictConfig(model, List.of(), List.of(inputList()), null, 2,
                out.toUri().toString(), false);
        FlakyFileSystem.failOpen = p -> p.getName().equals("3.png"); // a disk failing under one image, in a task
        Exception failed = assertThrows(Exception.class, () -> PredictRunner.run(command, sc));
        java.io.StringWriter trace = new java.io.StringWriter();
        failed.printStackTrace(new java.io.PrintWriter(trace));
        assertTrue(trace.toString().contains("simulated failure reading"), "failed in the task: " + trace);
        assertFalse(Files.exists(unfinished(out)), "the failed predict removed its unfinished folder");
        assertFalse(Files.exists(out));

        FlakyFileSystem.reset();
        PredictResult again = PredictRunner.run(command, sc);
        assertEquals(2 * PER_CLASS, again.rows());
        assertEquals(0, again.errors());
        assertFalse(Files.exists(out.resolve(RunFolder.MARKER)), "the marker is not published");
    }

    @Test
    void aPredictKilledMidwayIsCleanedUpByTheSameCommand() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        Path out = dir.resolve("killed-predict");
        // what a SIGKILLed predict leaves: part files in the unfinished folder (an older version wrote no marker)
        Path parts = Files.createDirectories(unfinished(out).resolve("predictions"));
        Files.writeString(parts.resolve("part-00000"), "path,predicted_class\nhalf");
        PredictResult result = PredictRunner.run(new PredictConfig(model, List.of(images.toUri().toString()), List.of(),
                null, 2, out.toUri().toString(), false), sc);
        assertEquals(2 * PER_CLASS, result.rows());
        assertFalse(Files.exists(unfinished(out)));
    }

    @Test
    void anEvaluateKilledMidwayIsCleanedUpByTheSameCommand() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        Path out = dir.resolve("killed-evaluate");
        Files.createDirectories(unfinished(out));
        Files.writeString(unfinished(out).resolve("report.json"), "{\"half\":");
        EvaluateRunner.run(new EvaluateConfig(model, null, false, EvaluateConfig.Split.TEST, out.toUri().toString(),
                false), sc);
        assertTrue(Files.exists(out.resolve("report.json")));
        assertFalse(Files.exists(unfinished(out)));
    }

    @Test
    void predictDoesNotDiscardAnUnfinishedTrainRun() throws Exception {
        Path out = dir.resolve("train-there");
        Files.createDirectories(unfinished(out).resolve(CheckpointStore.FOLDER).resolve("epoch-0001"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PredictRunner.run(new PredictConfig(
                model, List.of(images.toUri().toString()), List.of(), null, 2, out.toUri().toString(), false),
                LocalSpark.get()));
        assertTrue(e.getMessage().contains("holds an unfinished train run"), e.getMessage());
        assertTrue(Files.exists(unfinished(out).resolve(CheckpointStore.FOLDER).resolve("epoch-0001")));
    }

    /** An overwrite run over an old output, failing after the checkpoints of its two epochs (writing model.zip). */
    static Path interruptedOverwrite(String name) throws Exception {
        Path target = Files.createDirectories(dir.resolve(name));
        Files.writeString(target.resolve("old.txt"), "the run being replaced");
        FlakyFileSystem.failCreate = p -> p.getName().equals("model.zip")
                && p.getParent().getName().endsWith(RunFolder.UNFINISHED);
        TrainJobConfig command = config(FlakyFileSystem.uri(target), 2, "output.overwrite=true");
        assertThrows(IllegalStateException.class, () -> TrainRunner.run(command, LocalSpark.get()));
        FlakyFileSystem.reset();
        assertTrue(Files.isDirectory(unfinished(target).resolve("checkpoints/epoch-0002")), "kept for resuming");
        assertTrue(Files.exists(target.resolve("old.txt")), "the old output stays until the new run commits");
        return target;
    }

    @Test
    void anInterruptedOverwriteRunIsResumedByTheSameCommand() throws Exception {
        Path target = interruptedOverwrite("overwritten");
        TrainJobResult resumed = TrainRunner.run(config(FlakyFileSystem.uri(target), 2, "output.overwrite=true"),
                LocalSpark.get());
        assertEquals(2, resumed.resumedFromEpoch(), "resumed from its checkpoint, not started over");
        assertTrue(Files.exists(target.resolve("model.zip")));
        assertFalse(Files.exists(target.resolve("old.txt")), "and it replaced the old output");
        assertFalse(Files.exists(target.resolve(RunFolder.MARKER)));
        assertFalse(Files.exists(unfinished(target)));
    }

    @Test
    void anInterruptedOverwriteRunIsResumedByResume() throws Exception {
        Path target = interruptedOverwrite("overwritten-resume");
        // train --resume <output>: output.resume on, output.overwrite off (TrainJob), over an existing output
        TrainJobResult resumed = TrainRunner.run(config(FlakyFileSystem.uri(target), 2, "output.resume=true",
                "output.overwrite=false"), LocalSpark.get());
        assertEquals(2, resumed.resumedFromEpoch());
        assertTrue(Files.exists(target.resolve("model.zip")));
        assertFalse(Files.exists(target.resolve("old.txt")));
    }

    /** A step schedule and ReduceLROnPlateau that reduces after epochs 2 and 4 (min-delta 10: no later epoch improves). */
    static final String[] SCHEDULED = {"model.learning-rate=0.01", "model.lr-schedule.type=step",
            "model.lr-schedule.step-epochs=2", "model.lr-schedule.factor=0.5", "training.reduce-lr-on-plateau.enabled=true",
            "training.reduce-lr-on-plateau.patience=1", "training.reduce-lr-on-plateau.min-delta=10",
            "training.reduce-lr-on-plateau.factor=0.5", "training.reduce-lr-on-plateau.cooldown=2",
            "training.early-stopping.patience=10"};

    @Test
    void aResumedRunContinuesTheScheduleAndThePlateauStateExactly() throws Exception {
        TrainJobResult reference = TrainRunner.run(config(dir.resolve("scheduled-reference").toUri().toString(), 5,
                SCHEDULED), LocalSpark.get());
        // step(e) = 0.01 * 0.5^floor((e-1)/2); reductions after epoch 2 (cooldown 2: epoch 3 does not count) and 4
        List<Double> rates = reference.outcome().history().stream().map(r -> r.learningRate()).toList();
        assertEquals(List.of(0.01, 0.01, 0.0025, 0.0025, 0.000625), rates);

        Path target = dir.resolve("scheduled-crashed");
        FlakyFileSystem.failCreate = p -> p.getName().equals("model.zip") && p.getParent().getName().startsWith(".epoch-0003");
        assertThrows(IllegalStateException.class, () -> TrainRunner.run(config(FlakyFileSystem.uri(target), 5, SCHEDULED),
                LocalSpark.get()));
        FlakyFileSystem.reset();
        TrainJobResult resumed = TrainRunner.run(config(FlakyFileSystem.uri(target), 5, SCHEDULED), LocalSpark.get());

        assertEquals(2, resumed.resumedFromEpoch(), "continued inside the cooldown that followed the first reduction");
        assertEquals(rates, resumed.outcome().history().stream().map(r -> r.learningRate()).toList());
        for (int e = 0; e < 5; e++) {
            var want = reference.outcome().history().get(e);
            var got = resumed.outcome().history().get(e);
            assertEquals(want.loss(), got.loss(), 1e-4, "epoch " + (e + 1) + " loss");
            assertEquals(want.valLoss(), got.valLoss(), 1e-4, "epoch " + (e + 1) + " val_loss");
            assertEquals(want.valAccuracy(), got.valAccuracy(), 1e-6, "epoch " + (e + 1) + " val_accuracy");
        }
        assertEquals(reference.testAccuracy(), resumed.testAccuracy(), 1e-6);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var metrics = json.readTree(target.resolve("metrics.json").toFile());
        assertEquals(0.000625, metrics.at("/history/4/learning_rate").asDouble(), 0.0);
        var report = json.readTree(target.resolve("report.json").toFile());
        assertEquals(5, report.get("learning_rates").size());
        assertEquals(0.0025, report.at("/learning_rates/2").asDouble(), 0.0);
    }

    @Test
    void anAugmentedRunResumedAfterACrashEndsExactlyAsTheUninterruptedOne() throws Exception {
        String[] augmented = {"data.augment.horizontal-flip=true", "data.augment.crop-padding=2"};
        TrainJobResult whole = TrainRunner.run(config(dir.resolve("augmented-whole").toUri().toString(), 3, augmented),
                LocalSpark.get());
        Path target = dir.resolve("augmented-crashed");
        TrainJobConfig command = config(FlakyFileSystem.uri(target), 3, augmented);
        // the checkpoint of epoch 2 cannot be written: the job dies after training epoch 2, epoch 1's checkpoint kept
        FlakyFileSystem.failCreate = p -> p.getParent() != null && p.getParent().getName().startsWith(".epoch-0002.");
        assertThrows(IllegalStateException.class, () -> TrainRunner.run(command, LocalSpark.get()));
        FlakyFileSystem.reset();
        TrainJobResult resumed = TrainRunner.run(command, LocalSpark.get());
        assertEquals(1, resumed.resumedFromEpoch(), "epochs 2 and 3 were trained again, with their own draws");

        assertEquals(whole.outcome().history().size(), resumed.outcome().history().size());
        for (int e = 0; e < whole.outcome().history().size(); e++) {
            var a = whole.outcome().history().get(e);
            var b = resumed.outcome().history().get(e);
            assertEquals(a.loss(), b.loss(), 1e-9, "epoch " + a.epoch() + " loss");
            assertEquals(a.valLoss(), b.valLoss(), 1e-9, "epoch " + a.epoch() + " val_loss");
            assertEquals(a.valAccuracy(), b.valAccuracy(), 1e-9, "epoch " + a.epoch() + " val_accuracy");
        }
        assertTrue(whole.network().params().equalsWithEps(resumed.network().params(), 1e-7), "the same final weights");
        assertEquals(whole.testLoss(), resumed.testLoss(), 1e-9);

        // augmentation was on: epoch 1 fitted other images than the plain run with the same seed (the model above)
        double plainFirstLoss = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("model/metrics.json").toFile()).at("/history/0/loss").asDouble();
        assertTrue(Math.abs(plainFirstLoss - whole.outcome().history().get(0).loss()) > 1e-6,
                "augmented " + whole.outcome().history().get(0).loss() + " vs plain " + plainFirstLoss);
        String manifest = Files.readString(target.resolve("manifest.json"));
        assertTrue(manifest.contains("\"horizontal_flip\" : true") && manifest.contains("\"crop_padding\" : 2"), manifest);
    }

    @Test
    void overwriteWithAnotherConfigStartsTheInterruptedOverwriteRunOver() throws Exception {
        Path target = interruptedOverwrite("overwritten-changed");
        TrainJobResult fresh = TrainRunner.run(config(FlakyFileSystem.uri(target), 1, "output.overwrite=true"),
                LocalSpark.get());
        assertEquals(0, fresh.resumedFromEpoch(), "max-epochs differs: overwrite discards the unfinished run");
        assertFalse(Files.exists(target.resolve("old.txt")));
    }
}
