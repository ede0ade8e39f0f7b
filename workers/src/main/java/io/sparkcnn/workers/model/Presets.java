package io.sparkcnn.workers.model;

import io.sparkcnn.workers.model.LayerSpec.Activation;
import io.sparkcnn.workers.model.LayerSpec.BatchNorm;
import io.sparkcnn.workers.model.LayerSpec.Conv2D;
import io.sparkcnn.workers.model.LayerSpec.Dense;
import io.sparkcnn.workers.model.LayerSpec.Dropout;
import io.sparkcnn.workers.model.LayerSpec.Output;
import io.sparkcnn.workers.model.LayerSpec.Padding;
import io.sparkcnn.workers.model.LayerSpec.Pool;
import io.sparkcnn.workers.model.LayerSpec.PoolType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Named architectures selectable with {@code model.preset}. */
public final class Presets {
    private Presets() {
    }

    /** LeNet-style: conv5x5x20, maxpool, conv5x5x50, maxpool, dense 500, softmax (DL4J's LeNet example). */
    public static List<LayerSpec> lenet() {
        return List.of(
                new Conv2D(20, 5, 1, Padding.VALID, Activation.RELU),
                new Pool(PoolType.MAX, 2, 2),
                new Conv2D(50, 5, 1, Padding.VALID, Activation.RELU),
                new Pool(PoolType.MAX, 2, 2),
                new Dense(500, Activation.RELU),
                new Output());
    }

    /** Two VGG blocks (conv-bn-conv-bn-pool-dropout), dense 512 with batch norm and dropout, softmax. */
    public static List<LayerSpec> vgg2() {
        List<LayerSpec> layers = new ArrayList<>();
        layers.addAll(vggBlock(32, 0.25));
        layers.addAll(vggBlock(64, 0.25));
        layers.addAll(head(512));
        return List.copyOf(layers);
    }

    /**
     * Colour photos at 32x32 (CIFAR-10): three VGG blocks of two conv3x3-relu-batchnorm layers (32, 64 and 128
     * filters, "same" padding), each closed by a 2x2 max pool and dropout rising 0.1, 0.2, 0.3 (with
     * flips, crops and label smoothing, 0.2-0.4 learnt slower: 2-8 points less validation accuracy in each of the
     * first five epochs); dense 128 with
     * batch norm and dropout 0.5; softmax. About 39 M multiply-adds per 32x32x3 image and 0.55 M parameters; the
     * widths were chosen by measuring a wider twin on this path (docs/performance.md, "vgg-cifar").
     */
    public static List<LayerSpec> vggCifar() {
        List<LayerSpec> layers = new ArrayList<>();
        layers.addAll(vggBlock(32, 0.1));
        layers.addAll(vggBlock(64, 0.2));
        layers.addAll(vggBlock(128, 0.3));
        layers.addAll(head(128));
        return List.copyOf(layers);
    }

    /** conv3x3 (same, relu), batch norm, conv3x3, batch norm, 2x2 max pool, dropout: one VGG block. */
    private static List<LayerSpec> vggBlock(int filters, double dropout) {
        return List.of(
                new Conv2D(filters, 3, 1, Padding.SAME, Activation.RELU),
                new BatchNorm(),
                new Conv2D(filters, 3, 1, Padding.SAME, Activation.RELU),
                new BatchNorm(),
                new Pool(PoolType.MAX, 2, 2),
                new Dropout(dropout));
    }

    /** Dense (relu) with batch norm and dropout 0.5, then the softmax output. */
    private static List<LayerSpec> head(int units) {
        return List.of(new Dense(units, Activation.RELU), new BatchNorm(), new Dropout(0.5), new Output());
    }

    /** Preset names to their layers. */
    public static Map<String, List<LayerSpec>> all() {
        Map<String, List<LayerSpec>> presets = new TreeMap<>();
        presets.put("lenet", lenet());
        presets.put("vgg2", vgg2());
        presets.put("vgg-cifar", vggCifar());
        return presets;
    }
}
