package io.sparkcnn.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.output.RunManifest;
import io.sparkcnn.driver.output.RunMetrics;
import io.sparkcnn.driver.train.EpochRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.Normalizer;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A capped end-to-end training in local[2] on 2,000 real Fashion-MNIST images (IDX subsets written
 * here), then a re-run with the same seed, and a round trip of the saved model.zip.
 */
class SmokeTrainingTest {
    @TempDir
    static Path dir;
    static Path[] train;
    static Path[] test;
    static TrainJobResult result;

    static TrainJobConfig config(String output, int maxEpochs) {
        return ConfigLoader.fromString("""
                        data { format = idx, validation-fraction = 0.1, seed = 7 }
                        model { preset = lenet, optimizer = adam, learning-rate = 0.002 }
                        training { batch-size-per-worker = 32, averaging-frequency = 3,
                                   early-stopping { patience = 2 } }
                        """,
                "data.idx-train-images=" + train[0].toUri(), "data.idx-train-labels=" + train[1].toUri(),
                "data.idx-test-images=" + test[0].toUri(), "data.idx-test-labels=" + test[1].toUri(),
                "training.max-epochs=" + maxEpochs, "output.path=" + dir.resolve(output).toUri());
    }

    @BeforeAll
    static void train() throws Exception {
        train = TestData.writeSubset("train", 2000, dir, "train");
        test = TestData.writeSubset("t10k", 500, dir, "test");
        result = TrainRunner.run(config("run", 4), LocalSpark.get());
    }

    @Test
    void scoresWellAboveChance() {
        assertTrue(result.testAccuracy() >= 0.70, "test accuracy " + result.testAccuracy());
        assertEquals(4, result.outcome().history().size());
    }

    @Test
    void splitsTheTrainingPoolAndKeepsTheSeparateTestSet() {
        long val = sum(result.countsPerSplit().get("validation"));
        assertTrue(Math.abs(val - 200) <= 5, "validation holds about 10% of 2,000: " + val);
        assertEquals(2000, val + sum(result.countsPerSplit().get("train")));
        assertEquals(500, sum(result.countsPerSplit().get("test")));
    }

    @Test
    void writesTheRunFolderWithMetricsThatMatchTheRun() throws Exception {
        Path run = dir.resolve("run");
        for (String f : new String[] {"model.zip", "metrics.json", "manifest.json", "summary.txt"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().contains("_unfinished")), "no temp folder left");
        try (var files = Files.list(run)) {
            assertEquals(java.util.Set.of("manifest.json", "metrics.json", "model.zip", "summary.txt", "report.json",
                            "report.md", "report.html"),
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc"))
                            .collect(java.util.stream.Collectors.toSet()), "only the published files, no RDD checkpoints");
        }
        JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        assertEquals(result.testAccuracy(), metrics.at("/test/accuracy").asDouble(), 1e-12);
        assertEquals(500, metrics.at("/test/images").asInt());
        assertEquals(4, metrics.get("history").size());
        assertEquals(result.outcome().stopReason().jsonName(), metrics.get("stop_reason").asText());
        JsonNode manifest = new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
        assertEquals(result.datasetFingerprint(), manifest.at("/dataset/fingerprint").asText());
        assertEquals(7, manifest.at("/seed/data").asInt());
        assertEquals("1.0.0-M2.1", manifest.at("/versions/dl4j").asText());
        assertEquals("lenet", manifest.at("/config/model/preset").asText());
        assertTrue(Files.readString(run.resolve("summary.txt")).contains("Total params: 431,080"));
    }

    @Test
    void writesAReportThatAgreesWithTheMetrics() throws Exception {
        Path run = dir.resolve("run");
        JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        JsonNode report = new ObjectMapper().readTree(run.resolve("report.json").toFile());
        assertEquals(metrics.at("/test/accuracy").asDouble(), report.get("accuracy").asDouble(), 1e-12);
        assertEquals(metrics.at("/test/loss").asDouble(), report.get("loss").asDouble(), 1e-9);
        long sum = 0;
        for (JsonNode row : report.at("/confusion_matrix/matrix")) {
            for (JsonNode cell : row) {
                sum += cell.asLong();
            }
        }
        assertEquals(500, sum, "the confusion matrix covers the test split");
        assertEquals(10, report.get("per_class").size());
        assertTrue(report.get("top2_accuracy").asDouble() >= report.get("accuracy").asDouble());
        assertTrue(report.at("/splits/train/accuracy").isNumber() && report.at("/splits/validation/loss").isNumber());
        assertTrue(report.at("/model/fingerprint").asText().startsWith("sha256:"));
        for (String json : new String[] {"metrics.json", "manifest.json", "report.json"}) {
            JsonNode node = new ObjectMapper().readTree(run.resolve(json).toFile());
            assertEquals(JsonFormat.KEY, node.fieldNames().next(), json + " starts with its format version");
            assertEquals(JsonFormat.CURRENT, node.get(JsonFormat.KEY).asText(), json);
        }
        List<String> mistakeFields = new java.util.ArrayList<>();
        report.at("/most_confident_mistakes/0").fieldNames().forEachRemaining(mistakeFields::add);
        assertEquals(List.of("image", "true", "predicted", "confidence", "true_class_probability"), mistakeFields);
        // the typed readers read what the train job wrote, field for field
        RunMetrics typed = RunMetrics.fromJson(metrics, "metrics.json");
        assertEquals(metrics.at("/best_epoch").asInt(), typed.bestEpoch());
        assertEquals(metrics.get("history").size(), typed.history().size());
        RunManifest manifest = RunManifest.fromJson(new ObjectMapper().readTree(run.resolve("manifest.json").toFile()),
                "manifest.json");
        assertEquals(10, manifest.dataset().classNames().size());
        assertEquals(new ObjectMapper().readTree(run.resolve("manifest.json").toFile()),
                new ObjectMapper().readTree(manifest.toJson()), "manifest.json survives a read and a write unchanged");
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.split("<figure>", -1).length - 1 >= 24, "a gallery of at least 24 mistakes");
        assertTrue(html.contains("Diagnosis: "), "a diagnosis paragraph");
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resources");
        assertTrue(Files.readString(run.resolve("report.md")).contains("| accuracy |"));
    }

    @Test
    void savedModelLoadsInPlainDl4jAndPredictsTheSameClasses() throws Exception {
        File zip = dir.resolve("run/model.zip").toFile();
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        Pair<MultiLayerNetwork, Normalizer> withNormalizer = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(zip, false);
        NormalizerMinMaxScaler normalizer = assertInstanceOf(NormalizerMinMaxScaler.class, withNormalizer.getSecond());

        // the first 200 test images, raw 0..255, scaled by the restored normalizer as a plain DL4J program would
        byte[] images = TestData.gunzip(test[0]);
        float[] raw = new float[200 * 784];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = images[16 + i] & 0xFF;
        }
        DataSet ds = new DataSet(Nd4j.create(raw, new long[] {200, 1, 28, 28}, 'c'), Nd4j.zeros(200, 10));
        normalizer.transform(ds);
        int[] expected = result.network().predict(ds.getFeatures());
        int[] actual = restored.predict(ds.getFeatures());
        assertArrayEquals(expected, actual);
        assertEquals(result.network().params(), restored.params());
        INDArray updater = result.network().getUpdater().getStateViewArray();
        assertEquals(updater, restored.getUpdater().getStateViewArray(), "Adam state saved");
        assertTrue(Arrays.stream(actual).distinct().count() > 5, "predicts many classes");
    }

    @Test
    void sameSeedGivesTheSameSplitAndFirstEpoch() throws Exception {
        TrainJobResult again = TrainRunner.run(config("rerun", 1), LocalSpark.get());
        assertEquals(result.datasetFingerprint(), again.datasetFingerprint());
        for (String split : new String[] {"train", "validation", "test"}) {
            assertArrayEquals(result.countsPerSplit().get(split), again.countsPerSplit().get(split), split);
        }
        EpochRecord first = result.outcome().history().get(0);
        EpochRecord repeat = again.outcome().history().get(0);
        assertEquals(first.loss(), repeat.loss(), 1e-6);
        assertEquals(first.valLoss(), repeat.valLoss(), 1e-6);
        assertEquals(first.valAccuracy(), repeat.valAccuracy(), 1e-9);
    }

    private static long sum(long[] a) {
        return Arrays.stream(a).sum();
    }
}
