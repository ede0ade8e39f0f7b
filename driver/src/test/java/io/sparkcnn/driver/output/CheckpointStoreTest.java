package io.sparkcnn.driver.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkcnn.driver.train.EarlyStopping;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.driver.train.ReduceLrOnPlateau;
import io.sparkcnn.driver.train.TrainingOutcome;
import io.sparkcnn.driver.train.TrainingState;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-epoch checkpoints on the local Hadoop FileSystem: round trip, retention and fallback. */
class CheckpointStoreTest {
    private static final String CONFIG = "{\"training\":{\"max-epochs\":5},\"output\":{\"path\":\"x\"}}";
    @TempDir
    Path tmp;
    CheckpointStore store;
    MultiLayerNetwork net;

    @BeforeEach
    void setUp() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        store = new CheckpointStore(fs, new org.apache.hadoop.fs.Path(tmp.toUri()));
        net = NetworkFactory.network(new ModelSpec(List.of(new LayerSpec.Dense(8, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), Optimizer.ADAM, 0.01, 0.9, ModelSpec.WeightInitKind.XAVIER, 0, 3),
                new ImageShape(1, 4, 4), 3);
        net.fit(Nd4j.rand(5, 1, 4, 4), Nd4j.eye(3).getRows(0, 1, 2, 0, 1)); // non-zero Adam state
    }

    /** Writes the checkpoint of {@code epoch}, with the best epoch at {@code bestEpoch}; returns its state. */
    private TrainingState write(int epoch, int bestEpoch, INDArray bestParams) throws Exception {
        List<EpochRecord> history = new ArrayList<>();
        for (int e = 1; e <= epoch; e++) {
            history.add(new EpochRecord(e, 1.0 / e, 1.5 / e, 0.5 + e / 100.0, 2.0, 100.0, 40, e == bestEpoch));
        }
        TrainingState state = new TrainingState(epoch, history, new EarlyStopping.State(1.5 / bestEpoch, bestEpoch,
                epoch - bestEpoch, false), null, bestParams, bestParams == null ? null : bestParams.mul(2));
        net.params().addi(0.25); // every epoch's weights differ
        store.write(state, net, FeatureScaling.minMax(new double[] {0}, new double[] {255}).toDl4jNormalizer(), CONFIG,
                "sha256:config", "sha256:data");
        return state;
    }

    @Test
    void roundTripsWeightsUpdaterStateAndTheLoopState() throws Exception {
        INDArray best = net.params().dup();
        TrainingState written = write(3, 1, best);

        CheckpointStore.Checkpoint cp = store.loadLatest().orElseThrow();
        assertEquals(3, cp.state().epoch());
        assertEquals(written.history(), cp.state().history());
        assertEquals(written.stopping(), cp.state().stopping());
        assertNull(cp.state().stopReason());
        assertEquals(net.params(), cp.network().params());
        assertEquals(net.getUpdater().getStateViewArray(), cp.network().getUpdater().getStateViewArray());
        assertEquals(best, cp.state().bestParams());
        assertEquals(best.mul(2), cp.state().bestUpdater());
        assertEquals("sha256:config", cp.configFingerprint());
        assertEquals("sha256:data", cp.datasetFingerprint());
        assertTrue(cp.resolvedConfig().contains("max-epochs"));
        assertEquals(net.getLayerWiseConfigurations().getIterationCount(),
                cp.network().getLayerWiseConfigurations().getIterationCount(), "Adam's bias correction continues");
    }

    @Test
    void bestWeightsOfTheNewestEpochAreTheModelsOwn() throws Exception {
        write(2, 2, net.params().dup());
        assertFalse(Files.exists(tmp.resolve("checkpoints/epoch-0002/" + CheckpointStore.BEST_PARAMS)), "not stored twice");
        CheckpointStore.Checkpoint cp = store.loadLatest().orElseThrow();
        assertEquals(cp.network().params(), cp.state().bestParams());
    }

    @Test
    void keepsTheNewestTwoAndRemovesLeftoversOfKilledWriters() throws Exception {
        Files.createDirectories(tmp.resolve("checkpoints/.epoch-0001._tmp-dead"));
        for (int e = 1; e <= 4; e++) {
            write(e, 1, null);
        }
        assertEquals(List.of(4, 3), store.epochs());
        try (var names = Files.list(tmp.resolve("checkpoints"))) {
            assertEquals(List.of("epoch-0003", "epoch-0004"), names.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList());
        }
        assertFalse(Files.exists(tmp.resolve("checkpoints/.epoch-0001._tmp-dead")));
    }

    @Test
    void aTruncatedNewestCheckpointFallsBackToThePreviousOne() throws Exception {
        write(1, 1, null);
        INDArray paramsAfter2 = null;
        write(2, 2, null);
        paramsAfter2 = net.params().dup();
        write(3, 3, null);
        Path model = tmp.resolve("checkpoints/epoch-0003/model.zip");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.deleteIfExists(tmp.resolve("checkpoints/epoch-0003/.model.zip.crc"));

        CheckpointStore.Checkpoint cp = store.loadLatest().orElseThrow();
        assertEquals(2, cp.state().epoch());
        assertEquals(paramsAfter2, cp.network().params());
    }

    @Test
    void aCheckpointWithoutStateFileIsSkippedAndNoneMeansEmpty() throws Exception {
        assertTrue(store.loadLatest().isEmpty());
        assertTrue(store.storedConfig().isEmpty());
        write(1, 1, null);
        write(2, 2, null);
        Files.delete(tmp.resolve("checkpoints/epoch-0002/state.json"));
        assertEquals(1, store.loadLatest().orElseThrow().state().epoch());
        assertTrue(store.storedConfig().orElseThrow().contains("max-epochs"));
        Files.delete(tmp.resolve("checkpoints/epoch-0001/state.json"));
        assertTrue(store.loadLatest().isEmpty());
    }

    @Test
    void aDecidedStopIsKept() throws Exception {
        write(1, 1, null);
        TrainingState stopped = new TrainingState(2, List.of(), new EarlyStopping.State(0.2, 1, 1, true),
                TrainingOutcome.StopReason.EARLY_STOPPING, null, null);
        store.write(stopped, net, null, CONFIG, "sha256:config", "sha256:data");
        CheckpointStore.Checkpoint cp = store.loadLatest().orElseThrow();
        assertEquals(TrainingOutcome.StopReason.EARLY_STOPPING, cp.state().stopReason());
        assertTrue(cp.state().stopping().stop());
        assertTrue(cp.state().finished(10));
    }

    @Test
    void learningRatesAndThePlateauStateRoundTrip() throws Exception {
        ReduceLrOnPlateau.State plateau = new ReduceLrOnPlateau.State(0.25, 0.4, 1, 2);
        List<EpochRecord> history = List.of(new EpochRecord(1, 0.9, 0.8, 0.6, 2, 100, 40, true, 0.01),
                new EpochRecord(2, 0.7, 0.9, 0.6, 2, 100, 40, false, 0.0025));
        store.write(new TrainingState(2, history, new EarlyStopping.State(0.8, 1, 1, false), null, null, null, plateau),
                net, null, CONFIG, "sha256:config", "sha256:data");
        CheckpointStore.Checkpoint cp = store.loadLatest().orElseThrow();
        assertEquals(plateau, cp.state().plateau());
        assertEquals(history, cp.state().history());
    }

    @Test
    void aStateFileFromBeforeLearningRatesStillLoads() throws Exception {
        write(2, 1, null);
        Path state = tmp.resolve("checkpoints/epoch-0002/state.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(state.toFile());
        json.remove("reduceLrOnPlateau");
        json.get("history").forEach(e -> ((ObjectNode) e).remove("learningRate"));
        Files.writeString(state, json.toString());
        Files.deleteIfExists(tmp.resolve("checkpoints/epoch-0002/.state.json.crc"));

        CheckpointStore.Checkpoint cp = store.loadLatest().orElseThrow();
        assertEquals(2, cp.state().epoch(), "not skipped for an older one");
        assertNull(cp.state().plateau(), "nothing reduced yet: ReduceLROnPlateau starts fresh");
        assertTrue(Double.isNaN(cp.state().history().get(0).learningRate()), "unknown, not 0");
        assertEquals(0.5, cp.state().history().get(1).loss());
    }
}
