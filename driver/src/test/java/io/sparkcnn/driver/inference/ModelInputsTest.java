package io.sparkcnn.driver.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.output.RunManifest;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dataset against a model: class order by name, counts, input shape. */
class ModelInputsTest {
    private static LoadedModel model(String manifestJson) throws Exception {
        var net = NetworkFactory.network(new ModelSpec(List.of(new LayerSpec.Dense(4, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), Optimizer.SGD, 0.1, 0, ModelSpec.WeightInitKind.XAVIER, 0, 1),
                new ImageShape(1, 6, 6), 3);
        return new LoadedModel("hdfs:///runs/m", net, FeatureScaling.minMax(new double[] {0}, new double[] {255}),
                "sha256:x", null, manifestJson == null ? null : RunManifest.fromJson(new ObjectMapper().readTree(manifestJson), "manifest.json"), null, null);
    }

    private static final String MANIFEST = """
            {"dataset": {"class_names": ["T-shirt/top", "Trouser", "Ankle boot"],
                         "input_shape": {"height": 6, "width": 6, "channels": 1}}}""";

    @Test
    void foldersSortedByNameAreMappedToTheModelsLabelOrder() throws Exception {
        // an image folder lists its classes sorted; the model (trained from IDX) numbers them in label order
        int[] mapping = ModelInputs.classMapping(model(MANIFEST), List.of("Ankle-boot", "T-shirt-top", "trouser"), "/d");
        assertArrayEquals(new int[] {2, 0, 1}, mapping);
    }

    @Test
    void aClassTheModelDoesNotKnowIsNamed() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelInputs.classMapping(model(MANIFEST), List.of("Ankle-boot", "Sandal", "Trouser"), "/d"));
        assertTrue(e.getMessage().contains("[Sandal]") && e.getMessage().contains("T-shirt/top"), e.getMessage());
        e = assertThrows(InvalidInputException.class,
                () -> ModelInputs.classMapping(model(MANIFEST), List.of("a", "b"), "/d"));
        assertTrue(e.getMessage().contains("predicts 3 classes") && e.getMessage().contains("has 2 [a, b]"), e.getMessage());
    }

    @Test
    void withoutRecordedNamesTheDatasetOrderIsTaken() throws Exception {
        assertArrayEquals(new int[] {0, 1, 2}, ModelInputs.classMapping(model(null), List.of("x", "y", "z"), "/d"));
    }

    @Test
    void theShapeIsTheModelsUnlessAskedOtherwise() throws Exception {
        LoadedModel m = model(MANIFEST);
        assertEquals(new ImageShape(1, 6, 6), ModelInputs.shape(m, new ImageShape(1, 28, 28), false));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelInputs.shape(m, new ImageShape(3, 6, 6), true));
        assertTrue(e.getMessage().contains("6x6x1") && e.getMessage().contains("6x6x3"), e.getMessage());
        assertEquals(new ImageShape(1, 6, 6), ModelInputs.shape(model(null), new ImageShape(1, 6, 6), true),
                "without a manifest the asked shape is checked by a forward pass");
        assertThrows(InvalidInputException.class, () -> ModelInputs.shape(model(null), new ImageShape(1, 6, 6), false));
    }
}
