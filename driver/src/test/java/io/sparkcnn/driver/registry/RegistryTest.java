package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.InvalidInputException;
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
        assertEquals("r1", RegistryAdmin.previousChampion(r, "r3"));
        r.appendHistory(Map.of("run", "r1", "kind", "rollback", "champion_after", "r1"));
        assertEquals("r3", RegistryAdmin.previousChampion(r, "r1"), "a second rollback undoes the first");

        Registry fresh = Registry.open(tmp.resolve("fresh").toUri().toString(), new Configuration(), true);
        fresh.appendHistory(Map.of("run", "r1", "champion_after", "r1"));
        InvalidInputException none = assertThrows(InvalidInputException.class,
                () -> RegistryAdmin.previousChampion(fresh, "r1"));
        assertTrue(none.getMessage().contains("no champion before r1"), none.getMessage());
    }

    @Test
    void aMissingRegistryIsABadInputNamingIt() {
        String uri = tmp.resolve("nothing-here").toUri().toString();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Registry.open(uri, new Configuration(), false));
        assertTrue(e.getMessage().contains("nothing-here") && e.getMessage().contains("does not exist"), e.getMessage());
    }
}
