package io.sparkcnn.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.registry.Champion;
import io.sparkcnn.driver.registry.Registry;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every JSON file carries format_version; readers ignore unknown fields and refuse a newer major version. */
class FormatVersionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static RunMetrics metrics() {
        return new RunMetrics(JsonFormat.CURRENT,
                List.of(new RunMetrics.Epoch(1, 0.9, 0.8, 0.7, 12.5, 400, true, 1e-3),
                        new RunMetrics.Epoch(2, 0.6, 0.7, 0.75, 11.0, 450, true, null)),
                "val_accuracy", 2, 0.75, "max_epochs", 2, true, 23.5, 2, 0,
                new RunMetrics.Faults(0, 0, Map.of()),
                new RunMetrics.Test(0.71, 0.74, 0.9, 10, new long[][] {{4, 1}, {2, 3}}, List.of("cat", "dog")));
    }

    @Test
    void metricsWriteTheirVersionFirstAndReadBack() throws Exception {
        JsonNode json = JSON.readTree(metrics().toJson());
        assertEquals(JsonFormat.KEY, json.fieldNames().next());
        assertEquals("1.0", json.get(JsonFormat.KEY).asText());
        assertEquals(0.75, json.get("history").get(1).get("val_accuracy").asDouble());
        RunMetrics back = RunMetrics.fromJson(json, "metrics.json");
        assertEquals(2, back.bestEpoch());
        assertEquals(List.of("cat", "dog"), back.test().classNames());
        assertEquals(3, back.test().confusionMatrix()[1][1]);
        assertEquals(2, back.records().size());
    }

    @Test
    void anUnknownFieldFromANewerMinorVersionIsIgnored() throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(metrics().toJson());
        json.put(JsonFormat.KEY, "1.7");
        json.put("learning_rate_schedule", "cosine");
        ((ObjectNode) json.get("history").get(0)).put("lr", 0.01);
        RunMetrics back = RunMetrics.fromJson(json, "metrics.json");
        assertEquals(metrics().history(), back.history());
    }

    @Test
    void aNewerMajorVersionIsRefusedNamingTheFile() throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(metrics().toJson());
        json.put(JsonFormat.KEY, "2.0");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> RunMetrics.fromJson(json, "hdfs:///runs/a/metrics.json"));
        assertTrue(e.getMessage().contains("hdfs:///runs/a/metrics.json") && e.getMessage().contains("2.0")
                && e.getMessage().contains("newer sparkcnn"), e.getMessage());
        ObjectNode manifest = (ObjectNode) JSON.readTree("{\"format_version\": \"3.1\", \"dataset\": {}}");
        assertThrows(InvalidInputException.class, () -> RunManifest.fromJson(manifest, "manifest.json"));
        assertThrows(InvalidInputException.class,
                () -> JsonFormat.checked(JSON.readTree("{\"format_version\": \"one\"}"), "x.json"));
    }

    @Test
    void aFileWrittenBeforeVersionsExistedStillReads() throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(metrics().toJson());
        json.remove(JsonFormat.KEY);
        assertEquals(2, RunMetrics.fromJson(json, "metrics.json").bestEpoch());
    }

    @Test
    void metricsWithoutLearningRatesStillRead() throws Exception {
        JsonNode json = JSON.readTree(metrics().toJson());
        assertEquals(0.001, json.at("/history/0/learning_rate").asDouble());
        assertTrue(json.at("/history/1/learning_rate").isNull(), "unknown is null");
        ((ObjectNode) json.get("history").get(0)).remove("learning_rate"); // written before rates were recorded
        RunMetrics back = RunMetrics.fromJson(json, "metrics.json");
        assertTrue(Double.isNaN(back.records().get(0).learningRate()));
        assertEquals(0.9, back.records().get(0).loss());
    }

    @Test
    void registryFilesCarryTheVersionAndANewerChampionIsRefused() throws Exception {
        Registry r = Registry.open(tmp.resolve("reg").toUri().toString(), new Configuration(), true);
        r.setChampion(new Champion("r1", "hdfs:///m/model.zip", "sha256:aa", "accuracy", 0.8, "sha256:h",
                "2026-12-02T00:00:00Z", "retrain", "etl"));
        r.appendHistory(Map.of("run", "r1"));
        Path champion = tmp.resolve("reg").resolve(Registry.CHAMPION);
        assertEquals("1.0", JSON.readTree(champion.toFile()).get(JsonFormat.KEY).asText());
        assertEquals("1.0", r.history().get(0).get(JsonFormat.KEY).asText());
        assertEquals("r1", r.champion().orElseThrow().run());

        ObjectNode newer = (ObjectNode) JSON.readTree(champion.toFile());
        newer.put(JsonFormat.KEY, "2.0");
        newer.put("serving_endpoint", "x"); // what a newer version might add
        Files.writeString(champion, newer.toString(), StandardCharsets.UTF_8);
        Files.deleteIfExists(champion.resolveSibling("." + Registry.CHAMPION + ".crc")); // Hadoop's local checksum
        InvalidInputException e = assertThrows(InvalidInputException.class, r::champion);
        assertTrue(e.getMessage().contains(Registry.CHAMPION), e.getMessage());
    }
}
