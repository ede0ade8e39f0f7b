package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.common.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's files on the local FileSystem: run ids, champion pointer, history, run listing. */
class RegistryTest {
    @TempDir
    java.nio.file.Path tmp;

    private Registry open() {
        return Registry.open(tmp.resolve("reg").toUri().toString(), new Configuration(), true);
    }

    @Test
    void runIdsSortByTimeAndNeverCollide() throws IOException {
        Registry r = open();
        Instant t = Instant.parse("2026-11-27T09:05:03Z");
        String a = r.newRunId(t);
        assertEquals("20261127T090503Z", a);
        r.fileSystem().mkdirs(r.runDir(a));
        String b = r.newRunId(t);
        assertEquals("20261127T090503Z-2", b);
        r.fileSystem().mkdirs(new Path(r.runDir(b).getParent(), "." + b + "._unfinished")); // a run in progress
        assertEquals("20261127T090503Z-3", r.newRunId(t));
        assertTrue(r.newRunId(t.plusSeconds(1)).compareTo(a) > 0);
        assertEquals(List.of(a), r.finishedRuns());
        assertEquals(List.of(b), r.unfinishedRuns());
    }

    @Test
    void championIsReplacedWholeAndLeavesNoTemporaryFiles() throws IOException {
        Registry r = open();
        assertTrue(r.champion().isEmpty());
        r.setChampion(new Champion("r1", "hdfs:///m/runs/r1/model/model.zip", "sha256:aa", "accuracy", 0.81,
                "sha256:h", "2026-11-27T00:00:00Z", "retrain", "etl"));
        r.setChampion(new Champion("r2", "hdfs:///m/runs/r2/model/model.zip", "sha256:bb", "accuracy", 0.84,
                "sha256:h", "2026-11-28T00:00:00Z", "retrain", "etl"));
        Champion c = r.champion().orElseThrow();
        assertEquals("r2", c.run());
        assertEquals(0.84, c.score());
        FileStatus[] leftovers = r.fileSystem().listStatus(r.root(), p -> p.getName().contains(".tmp-"));
        assertEquals(0, leftovers.length, Arrays.toString(leftovers));
    }

    @Test
    void historyKeepsEveryLineInOrder() throws IOException {
        Registry r = open();
        for (int i = 1; i <= 3; i++) {
            r.appendHistory(Map.of("run", "r" + i, "decision", i == 2 ? "kept" : "promoted"));
        }
        List<JsonNode> h = r.history();
        assertEquals(3, h.size());
        assertEquals(List.of("r1", "r2", "r3"), h.stream().map(l -> l.get("run").asText()).toList());
        assertEquals("kept", h.get(1).get("decision").asText());
    }

    @Test
    void rollbackTargetIsTheChampionBeforeTheCurrentOne() throws IOException {
        Registry r = open();
        r.appendHistory(Map.of("run", "r1", "champion_after", "r1"));
        r.appendHistory(Map.of("run", "r2", "champion_after", "r1"));
        r.appendHistory(Map.of("run", "r3", "champion_after", "r3"));
        assertEquals("r1", RegistryAdmin.previousChampion(r, "r3").target());
        r.appendHistory(Map.of("run", "r1", "kind", "rollback", "champion_after", "r1"));
        InvalidInputException first = assertThrows(InvalidInputException.class,
                () -> RegistryAdmin.previousChampion(r, "r1"), "a second rollback does not undo the first");
        assertTrue(first.getMessage().contains("r1 is the first champion") && first.getMessage().contains("past r3"),
                first.getMessage());

        Registry fresh = Registry.open(tmp.resolve("fresh").toUri().toString(), new Configuration(), true);
        fresh.appendHistory(Map.of("run", "r1", "champion_after", "r1"));
        InvalidInputException none = assertThrows(InvalidInputException.class,
                () -> RegistryAdmin.previousChampion(fresh, "r1"));
        assertTrue(none.getMessage().contains("no earlier champion"), none.getMessage());
    }

    /** A finished retrain run with a model and a decision, as RetrainRunner leaves it. */
    private static void finishedRun(Registry r, String id, double accuracy) throws IOException {
        try (var out = r.fileSystem().create(r.modelOf(id))) {
            out.write(("model " + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try (var out = r.fileSystem().create(new Path(r.runDir(id), Registry.DECISION))) {
            out.write(("{\"run\":\"" + id + "\",\"metric\":\"accuracy\",\"challenger\":{\"accuracy\":" + accuracy
                    + "}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private String rollback(Registry r) throws IOException {
        return RegistryAdmin.promote(r.root().toString(), new Configuration(), null, true, "oncall", "complaints",
                java.time.Duration.ofMinutes(10)).run();
    }

    @Test
    void rollbackWalksBackThroughThePromotionsInsteadOfToggling() throws IOException {
        Registry r = open();
        String uri = r.root().toString();
        for (String id : List.of("A", "B", "C", "D")) {
            finishedRun(r, id, 0.8);
        }
        // A and B promoted by retrains (B after a kept run D), C promoted by hand
        r.appendHistory(Map.of("run", "A", "kind", "retrain", "decision", "promoted", "champion_after", "A"));
        r.appendHistory(Map.of("run", "D", "kind", "retrain", "decision", "kept", "champion_after", "A"));
        RegistryAdmin.promote(uri, new Configuration(), "B", false, "etl", "retrain", java.time.Duration.ofMinutes(10));
        RegistryAdmin.promote(uri, new Configuration(), "C", false, "alice", "checked", java.time.Duration.ofMinutes(10));
        assertEquals("C", r.champion().orElseThrow().run());

        assertEquals("B", rollback(r));
        assertEquals("B", r.champion().orElseThrow().run());
        assertEquals("A", rollback(r), "the second rollback goes further back, not to C again");
        assertEquals("A", r.champion().orElseThrow().run());
        InvalidInputException refused = assertThrows(InvalidInputException.class, () -> rollback(r));
        assertTrue(refused.getMessage().startsWith("rollback refused: A is the first champion")
                && refused.getMessage().contains("past B, C"), refused.getMessage());
        assertEquals("A", r.champion().orElseThrow().run(), "a refused rollback changes nothing");

        List<JsonNode> h = r.history();
        assertEquals(6, h.size(), "the refused rollback added no line");
        assertEquals("rolled back from C to B (1 promotion back from the newest, C; next rollback: A)",
                h.get(4).get("rollback").asText());
        assertEquals("rolled back from B to A (2 promotions back from the newest, C; next rollback: none left)",
                h.get(5).get("rollback").asText());
        assertEquals("complaints", h.get(5).get("reason").asText());
        assertTrue(RegistryAdmin.list(uri, new Configuration()).contains("(rolled back from B to A (2 promotions back"));

        // a promotion after the rollbacks starts a new chain from A: B and C, which rollbacks left, are skipped
        RegistryAdmin.promote(uri, new Configuration(), "D", false, "bob", "new data", java.time.Duration.ofMinutes(10));
        assertEquals("A", rollback(r));
        assertEquals("rolled back from D to A (1 promotion back from the newest, D; next rollback: none left)",
                r.history().get(7).get("rollback").asText());
        // a rollback to a named run that is not behind the champion in the chain moves forward to it
        RegistryAdmin.promote(uri, new Configuration(), "D", true, "oncall", "false alarm", java.time.Duration.ofMinutes(10));
        assertEquals("rolled back from A to D (named; not an earlier champion in the chain of promotions; next rollback: A)",
                r.history().get(8).get("rollback").asText());
        assertEquals("A", rollback(r));
    }

    @Test
    void aMissingRegistryIsABadInputNamingIt() {
        String uri = tmp.resolve("nothing-here").toUri().toString();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Registry.open(uri, new Configuration(), false));
        assertTrue(e.getMessage().contains("nothing-here") && e.getMessage().contains("does not exist"), e.getMessage());
    }
}
