package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.inference.PredictRunner;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evaluation and the evaluate and predict jobs on a real HDFS (MiniDFSCluster): a model trained on Fashion-MNIST
 * image folders read from hdfs://, then evaluated (on another folder and on the run's own test split) and
 * used to predict, every output written to hdfs:// and read back. The report is rendered in headless
 * Chromium. Bad inputs exit 2 and leave nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportsOnHdfsIT {
    private static final int TEST_PER_CLASS = 30;

    @TempDir
    static java.nio.file.Path tmp;
    static TestCluster cluster;
    static FileSystem fs;
    static String hdfs;

    @BeforeAll
    static void startHdfsAndTrain() throws Exception {
        cluster = TestCluster.start(tmp, "local[2]");
        fs = cluster.fs;
        hdfs = cluster.hdfs;
        FashionMnistFolders.write(fs, "/data/fm-train", "train", 120);
        FashionMnistFolders.write(fs, "/data/fm-test", "t10k", TEST_PER_CLASS);
        try (OutputStream out = fs.create(new Path("/data/incoming/broken.png"))) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        }
        ShapeImages.write(fs, "/data/shapes", 6, 3);
        int exit = TrainJob.execute("--set", "data.format=image-folder", "--set", "data.path=" + hdfs + "/data/fm-train",
                "--set", "data.validation-fraction=0.15", "--set", "data.test-fraction=0.15",
                "--set", "training.batch-size-per-worker=32", "--set", "training.averaging-frequency=3",
                "--set", "training.max-epochs=3", "--set", "model.learning-rate=0.002", "--output", hdfs + "/runs/fm");
        assertEquals(0, exit, "training the model the tests evaluate");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void theTrainJobWritesAReportThatAgreesWithItsMetrics() throws Exception {
        JsonNode metrics = json("/runs/fm/metrics.json");
        JsonNode report = json("/runs/fm/report.json");
        assertEquals(metrics.at("/test/accuracy").asDouble(), report.get("accuracy").asDouble(), 1e-12);
        assertEquals(metrics.at("/test/images").asLong(), confusionSum(report));
        assertEquals(FashionMnistFolders.CLASSES.stream().sorted().toList(), names(report.at("/confusion_matrix/class_names")),
                "class names are the sorted folder names");
        assertTrue(fs.exists(new Path("/runs/fm/report.html")) && fs.exists(new Path("/runs/fm/report.md")));
    }

    @Test
    @Order(2)
    void evaluateReadsAFolderFromHdfsAndWritesTheReportToHdfs() throws Exception {
        assertEquals(0, EvaluateJob.execute("--model", hdfs + "/runs/fm", "--set", "data.format=image-folder",
                "--set", "data.path=" + hdfs + "/data/fm-test", "--output", hdfs + "/reports/fm-test"));
        JsonNode report = json("/reports/fm-test/report.json");
        assertEquals(10 * TEST_PER_CLASS, report.get("images").asInt());
        assertEquals(10 * TEST_PER_CLASS, confusionSum(report));
        assertEquals(10, report.get("per_class").size());
        long supportSum = 0;
        for (JsonNode c : report.get("per_class")) {
            assertEquals(TEST_PER_CLASS, c.get("support").asInt(), c.toString());
            supportSum += c.get("support").asLong();
        }
        assertEquals(10 * TEST_PER_CLASS, supportSum);
        assertTrue(report.get("accuracy").asDouble() > 0.5, "a trained model, well above chance: " + report.get("accuracy"));
        assertTrue(report.get("top2_accuracy").asDouble() >= report.get("accuracy").asDouble());
        assertEquals("sha256:" + sha256("/runs/fm/model.zip"), report.at("/model/fingerprint").asText());
        assertTrue(report.at("/dataset/fingerprint").asText().startsWith("sha256:"));
        assertTrue(report.get("most_confident_mistakes").size() >= 24, "gallery source: " + report.get("most_confident_mistakes").size());
        assertTrue(report.at("/splits/train/accuracy").isNumber(), "train figures come from the run's report");
        for (FileStatus s : fs.listStatus(new Path("/reports"))) {
            assertFalse(s.getPath().getName().startsWith("."), "no unfinished folder left: " + s.getPath());
        }
    }

    @Test
    @Order(3)
    void evaluateWithoutADatasetUsesTheRunsOwnTestSplit() throws Exception {
        assertEquals(0, EvaluateJob.execute("--model", hdfs + "/runs/fm/model.zip", "--output", hdfs + "/reports/fm-own"));
        JsonNode report = json("/reports/fm-own/report.json");
        JsonNode metrics = json("/runs/fm/metrics.json");
        assertEquals("test", report.get("split").asText());
        assertEquals(metrics.at("/test/images").asLong(), report.get("images").asLong());
        assertEquals(metrics.at("/test/accuracy").asDouble(), report.get("accuracy").asDouble(), 1e-12);
        assertEquals(metrics.at("/test/confusion_matrix").toString(), report.at("/confusion_matrix/matrix").toString());
    }

    @Test
    @Order(4)
    void predictWritesCsvToHdfsThatAgreesWithEvaluate() throws Exception {
        assertEquals(0, PredictJob.execute("--model", hdfs + "/runs/fm", "--input", hdfs + "/data/fm-test",
                "--input", hdfs + "/data/incoming/broken.png", "--output", hdfs + "/predictions/fm"));
        List<String> header = null;
        List<List<String>> rows = new ArrayList<>();
        for (FileStatus part : fs.listStatus(new Path("/predictions/fm/predictions"))) {
            if (!part.getPath().getName().startsWith("part-")) {
                continue;
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(part.getPath()), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    List<String> fields = PredictRunner.fields(line);
                    if (fields.get(0).equals("path")) {
                        header = fields;
                    } else {
                        rows.add(fields);
                    }
                }
            }
        }
        assertEquals(4 + 10, header.size());
        assertEquals(List.of("path", "predicted_class", "probability", "error", "p_Ankle-boot"), header.subList(0, 5));
        assertEquals(10 * TEST_PER_CLASS + 1, rows.size());
        int correct = 0;
        int errors = 0;
        for (List<String> r : rows) {
            assertEquals(header.size(), r.size(), r.toString());
            if (!r.get(3).isEmpty()) {
                errors++;
                assertTrue(r.get(0).endsWith("broken.png") && r.get(1).isEmpty(), r.toString());
                continue;
            }
            double sum = 0;
            for (int c = 4; c < r.size(); c++) {
                sum += Double.parseDouble(r.get(c));
            }
            assertEquals(1.0, sum, 1e-3, "probabilities of " + r.get(0));
            String trueClass = new Path(r.get(0)).getParent().getName();
            if (trueClass.equals(r.get(1))) {
                correct++;
            }
        }
        assertEquals(1, errors);
        double accuracy = (double) correct / (10 * TEST_PER_CLASS);
        assertEquals(json("/reports/fm-test/report.json").get("accuracy").asDouble(), accuracy, 1e-12,
                "predict and evaluate agree on the same images");
        JsonNode summary = json("/predictions/fm/summary.json");
        assertEquals(10 * TEST_PER_CLASS + 1, summary.get("rows").asInt());
        assertEquals(1, summary.get("errors").asInt());
    }

    @Test
    @Order(5)
    void theReportRendersInHeadlessChromiumWithEveryImageAndNoRequest() throws Exception {
        java.nio.file.Path html = tmp.resolve("report.html");
        try (InputStream in = fs.open(new Path("/reports/fm-test/report.html"))) {
            Files.copy(in, html);
        }
        ReportBrowserCheck.Result r = ReportBrowserCheck.check(html, tmp.resolve("report-screenshot.png"));
        assertTrue(r.images() >= 24 + 3, "plots and gallery images: " + r);
        assertEquals(0, r.broken(), "every image decoded: " + r);
        assertEquals(0, r.blockedRequests(), "no request leaves the file: " + r);
        assertFalse(r.overflowsPhoneWidth(), "readable on a 390 px wide phone without sideways scrolling: " + r);
        assertTrue(Files.size(tmp.resolve("report-screenshot.png")) > 10_000);
        Files.copy(tmp.resolve("report-screenshot.png"), java.nio.file.Path.of("target", "report-screenshot.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    @Order(6)
    void aDatasetWithOtherClassesOrShapeIsRefusedAndNothingIsWritten() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--model", hdfs + "/runs/fm", "--set", "data.format=image-folder",
                "--set", "data.path=" + hdfs + "/data/shapes", "--output", hdfs + "/reports/shapes"));
        assertTrue(err.toString().contains("predicts 10 classes") && err.toString().contains("has 2 [bar, square]"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(err, "--model", hdfs + "/runs/fm", "--set", "data.format=image-folder",
                "--set", "data.path=" + hdfs + "/data/fm-test", "--set", "data.height=32", "--output", hdfs + "/reports/shape"));
        assertTrue(err.toString().contains("28x28x1") && err.toString().contains("32x28x1"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(err, "--model", hdfs + "/runs/missing", "--output", hdfs + "/reports/missing"));
        assertTrue(err.toString().contains("/runs/missing does not exist"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(err, "--model", hdfs + "/runs/fm", "--output", hdfs + "/reports/fm-test"));
        assertTrue(err.toString().contains("already exists"), err.toString());
        for (String p : new String[] {"/reports/shapes", "/reports/shape", "/reports/missing", "/reports/.shapes._unfinished"}) {
            try {
                assertFalse(fs.exists(new Path(p)), p);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static int run(StringWriter err, String... args) {
        var cl = EvaluateJob.commandLine(new EvaluateJob());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static long confusionSum(JsonNode report) {
        long sum = 0;
        for (JsonNode row : report.at("/confusion_matrix/matrix")) {
            for (JsonNode cell : row) {
                sum += cell.asLong();
            }
        }
        return sum;
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static String sha256(String path) throws Exception {
        try (InputStream in = fs.open(new Path(path))) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }

    private static JsonNode json(String path) throws IOException {
        try (InputStream in = fs.open(new Path(path))) {
            return new ObjectMapper().readTree(in);
        }
    }
}
