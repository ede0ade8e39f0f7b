package io.sparkcnn.driver.config;

import com.typesafe.config.ConfigFactory;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.Augmentation;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.Optimizer;
import io.sparkcnn.workers.model.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConfigLoaderTest {
    /** A valid idx job; each error case changes one thing. */
    static final String VALID = "data { idx-train-images = \"file:///d/train-images\", idx-train-labels = \"file:///d/train-labels\" }";

    static Stream<Arguments> errors() {
        return Stream.of(
                arguments("unknown top-level key", "", new String[] {"trainig.max-epochs=3"},
                        List.of("unknown config key 'trainig.max-epochs'", "training.max-epochs")),
                arguments("misspelled nested key", "", new String[] {"training.early-stopping.patiance=3"},
                        List.of("'training.early-stopping.patiance'", "under 'training.early-stopping'", "patience", "min-delta")),
                arguments("value for a section", "", new String[] {"training=3"}, List.of("'training' is a section")),
                arguments("format", "", new String[] {"data.format=csv"}, List.of("data.format = 'csv'", "image-folder, idx")),
                arguments("channels", "", new String[] {"data.channels=cmyk"}, List.of("data.channels", "gray, rgb")),
                arguments("scaling", "", new String[] {"data.scaling=zscore"}, List.of("data.scaling", "minmax, standardize")),
                arguments("preset", "", new String[] {"model.preset=resnet"}, List.of("model.preset", "lenet", "vgg-cifar", "vgg2", "custom")),
                arguments("optimizer", "", new String[] {"model.optimizer=adamw"},
                        List.of("model.optimizer", "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam")),
                arguments("weight init", "", new String[] {"model.weight-init=zeros"}, List.of("model.weight-init", "xavier, he")),
                arguments("monitor", "", new String[] {"training.early-stopping.monitor=loss"},
                        List.of("training.early-stopping.monitor", "val_loss, val_accuracy")),
                arguments("string for int", "", new String[] {"training.max-epochs=many"},
                        List.of("training.max-epochs must be a whole number")),
                arguments("batch size 0", "", new String[] {"training.batch-size-per-worker=0"},
                        List.of("training.batch-size-per-worker", ">= 1, got 0")),
                arguments("patience 0", "", new String[] {"training.early-stopping.patience=0"},
                        List.of("training.early-stopping.patience", ">= 1")),
                arguments("max epochs 0", "", new String[] {"training.max-epochs=0"}, List.of("training.max-epochs")),
                arguments("learning rate 0", "", new String[] {"model.learning-rate=0"}, List.of("model.learning-rate must be above 0")),
                arguments("negative l2", "", new String[] {"model.l2=-1"}, List.of("model.l2 must be 0 or more")),
                arguments("negative min delta", "", new String[] {"training.early-stopping.min-delta=-0.1"},
                        List.of("training.early-stopping.min-delta")),
                arguments("boolean", "", new String[] {"output.overwrite=maybe"}, List.of("output.overwrite must be true or false")),
                arguments("progress interval below 1 s", "", new String[] {"training.progress-interval=500ms"},
                        List.of("training.progress-interval must be at least 1 second, got 500 ms")),
                arguments("progress interval not a duration", "", new String[] {"training.progress-interval=often"},
                        List.of("training.progress-interval must be a duration such as \"15 seconds\"", "often")),
                arguments("fraction above 1", "", new String[] {"data.test-fraction=1.5"}, List.of("data.test-fraction", "[0, 1)")),
                arguments("fractions sum", "", new String[] {"data.validation-fraction=0.5", "data.test-fraction=0.5"},
                        List.of("data.validation-fraction + data.test-fraction must be below 1")),
                arguments("no validation", "", new String[] {"data.validation-fraction=0"},
                        List.of("data.validation-fraction must be above 0")),
                arguments("negative height", "", new String[] {"data.height=-2"}, List.of("data.height")),
                arguments("missing image folder", "data.format = image-folder", new String[] {},
                        List.of("data.path must name the image folder")),
                arguments("missing idx", "data.idx-train-images = \"\"", new String[] {},
                        List.of("data.idx-train-images and data.idx-train-labels must be set")),
                arguments("idx test images without labels", "data.idx-test-images = \"file:///t\"", new String[] {},
                        List.of("data.idx-test-images and data.idx-test-labels must be set together")),
                arguments("empty output", "", new String[] {"output.path="}, List.of("output.path must not be empty")),
                arguments("resume and overwrite", "", new String[] {"output.resume=true", "output.overwrite=true"},
                        List.of("output.resume and output.overwrite exclude each other")),
                arguments("layers without custom", "model.layers = [{ type = output }]", new String[] {},
                        List.of("model.layers is set but model.preset is 'lenet'", "model.preset = custom")),
                arguments("custom without layers", "model.preset = custom", new String[] {},
                        List.of("preset 'custom' needs a non-empty layer list")),
                arguments("layer not an object", "model { preset = custom, layers = [3] }", new String[] {},
                        List.of("model.layers[0] must be an object")),
                arguments("layer without type", "model { preset = custom, layers = [{ filters = 3 }] }", new String[] {},
                        List.of("model.layers[0] has no 'type'", "conv2d")),
                arguments("unknown layer type", "model { preset = custom, layers = [{ type = lstm }] }", new String[] {},
                        List.of("model.layers[0].type = 'lstm'", "avgpool, batchnorm, conv2d, dense, dropout, maxpool, output")),
                arguments("unknown layer key", "model { preset = custom, layers = [{ type = conv2d, filters = 3, filter = 4 }] }",
                        new String[] {}, List.of("model.layers[0]: unknown key 'filter' for conv2d",
                                "activation, filters, kernel, padding, stride, type")),
                arguments("conv without filters", "model { preset = custom, layers = [{ type = conv2d }, { type = output }] }",
                        new String[] {}, List.of("model.layers[0].filters is required")),
                arguments("bad padding", "model { preset = custom, layers = [{ type = conv2d, filters = 2, padding = full }] }",
                        new String[] {}, List.of("model.layers[0].padding = 'full'", "same, valid")),
                arguments("fractional filters", "model { preset = custom, layers = [{ type = conv2d, filters = 2.5 }] }",
                        new String[] {}, List.of("model.layers[0].filters must be a whole number >= 1")),
                arguments("dropout rate 1", "model { preset = custom, layers = [{ type = dropout, rate = 1.0 }] }",
                        new String[] {}, List.of("model.layers[0].rate must be a fraction in [0, 1)")),
                arguments("bad activation", "model { preset = custom, layers = [{ type = dense, units = 3, activation = swish }] }",
                        new String[] {}, List.of("model.layers[0].activation = 'swish'", "relu")),
                arguments("crop padding as large as the image", "", new String[] {"data.augment.crop-padding=28"},
                        List.of("data.augment.crop-padding must be below data.height and data.width (28x28), got 28")),
                arguments("negative crop padding", "", new String[] {"data.augment.crop-padding=-1"},
                        List.of("data.augment.crop-padding", ">= 0, got -1")),
                arguments("translate 1", "", new String[] {"data.augment.translate=1"},
                        List.of("data.augment.translate", "[0, 1), got 1")),
                arguments("rotation above 180", "", new String[] {"data.augment.rotation=200"},
                        List.of("data.augment.rotation must be in [0, 180] degrees, got 200")),
                arguments("negative brightness", "", new String[] {"data.augment.brightness=-0.2"},
                        List.of("data.augment.brightness must be 0 or more, got -0.2")),
                arguments("negative contrast", "", new String[] {"data.augment.contrast=-1"},
                        List.of("data.augment.contrast must be 0 or more")),
                arguments("flip not a boolean", "", new String[] {"data.augment.horizontal-flip=sometimes"},
                        List.of("data.augment.horizontal-flip must be true or false")),
                arguments("label smoothing 1", "", new String[] {"model.label-smoothing=1"},
                        List.of("model.label-smoothing", "[0, 1), got 1")),
                arguments("--set without =", "", new String[] {"training.max-epochs"}, List.of("--set expects key=value")),
                arguments("--set bad HOCON", "", new String[] {"data.class-names=[a,"}, List.of("--set data.class-names")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void invalidConfigNamesTheKeyAndAllowedValues(String name, String extra, String[] overrides, List<String> fragments) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.fromString(VALID + "\n" + extra, overrides));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void defaultsAreKerasLike() {
        TrainJobConfig c = ConfigLoader.fromString(VALID);
        assertEquals("lenet", c.model().preset());
        assertEquals(Presets.lenet(), c.model().spec().layers());
        assertEquals(Optimizer.ADAM, c.model().spec().optimizer());
        assertEquals(0.001, c.model().spec().learningRate());
        assertEquals(EarlyStoppingConfig.Monitor.VAL_LOSS, c.training().earlyStopping().monitor());
        assertTrue(c.training().earlyStopping().restoreBestWeights());
        assertEquals(FeatureScaling.Kind.MINMAX, c.data().scaling());
        assertEquals(1, c.data().shape().channels());
        assertEquals(64, c.training().batchSizePerWorker());
        assertTrue(c.training().progress());
        assertEquals(java.time.Duration.ofSeconds(15), c.training().progressInterval());
        assertTrue(c.data().augment().isNone(), "no augmentation unless asked: " + c.data().augment());
        assertEquals(0.0, c.model().labelSmoothing());
    }

    @Test
    void augmentationAndLabelSmoothingParse() {
        TrainJobConfig c = ConfigLoader.fromString(VALID + "\n" + """
                data.augment { horizontal-flip = true, crop-padding = 4, translate = 0.1, rotation = 15,
                               brightness = 0.2, contrast = 0.3 }
                model.label-smoothing = 0.1
                """);
        assertEquals(new Augmentation(true, 4, 0.1, 15, 0.2, 0.3), c.data().augment());
        assertEquals(c.data().augment(), c.data().withShape(new ImageShape(3, 32, 32)).augment());
        assertEquals(0.1, c.model().labelSmoothing());
    }

    @Test
    void overridesWinOverTheFileAndKeepUris(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.conf");
        Files.writeString(file, VALID + "\ntraining.max-epochs = 7\noutput.path = \"runs/a\"\n");
        TrainJobConfig c = ConfigLoader.load(file.toFile(), List.of("training.max-epochs=9",
                "output.path=hdfs://nn:8020/runs/x", "data.class-names=[cat, dog]"));
        assertEquals(9, c.training().maxEpochs());
        assertEquals("hdfs://nn:8020/runs/x", c.output().path(), "// is not a HOCON comment in --set values");
        assertEquals(List.of("cat", "dog"), c.data().classNames());
        assertTrue(c.resolved().replaceAll("\\s", "").contains("\"max-epochs\":9"), c.resolved());
    }

    @Test
    void fileWrappedInTheRootKeyIsAccepted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.conf");
        Files.writeString(file, "sparkcnn { " + VALID + "\n model.preset = vgg2 }");
        assertEquals("vgg2", ConfigLoader.load(file.toFile(), List.of()).model().preset());
    }

    @Test
    void missingFileNamesIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.load(new File("no/such/job.conf"), List.of()));
        assertTrue(e.getMessage().contains("no/such/job.conf"));
    }

    @Test
    void customLayersParseWithKerasDefaults() {
        TrainJobConfig c = ConfigLoader.fromString(VALID + "\n" + """
                model { preset = custom, layers = [
                  { type = conv2d, filters = 8 }
                  { type = maxpool, size = 3 }
                  { type = avgpool, size = 2, stride = 1 }
                  { type = batchnorm }
                  { type = dropout, rate = 0.3 }
                  { type = dense, units = 16, activation = tanh }
                  { type = output }
                ] }
                """);
        assertEquals(List.of(
                new LayerSpec.Conv2D(8, 3, 1, LayerSpec.Padding.VALID, LayerSpec.Activation.RELU),
                new LayerSpec.Pool(LayerSpec.PoolType.MAX, 3, 3),
                new LayerSpec.Pool(LayerSpec.PoolType.AVG, 2, 1),
                new LayerSpec.BatchNorm(),
                new LayerSpec.Dropout(0.3),
                new LayerSpec.Dense(16, LayerSpec.Activation.TANH),
                new LayerSpec.Output()), c.model().spec().layers());
    }

    @Test
    void everyDocumentedKeyHasAComment() {
        Map<String, String[]> docs = ConfigLoader.documentedKeys();
        var reference = ConfigFactory.defaultReference().getConfig("sparkcnn");
        assertEquals(reference.entrySet().size(), docs.size());
        for (var e : docs.entrySet()) {
            assertFalse(e.getValue()[1].isBlank(), "no comment for " + e.getKey());
        }
        assertTrue(docs.containsKey("training.early-stopping.restore-best-weights"));
    }
}
