package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.Optimizer;
import io.sparkcnn.workers.model.Presets;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code model.*}: the preset name (or "custom"), the resolved layer list and optimizer, the learning-rate
 * schedule (which the driver applies between epochs, so it is not part of the network's spec) and
 * {@code labelSmoothing}, which shapes the training targets, not the network.
 */
public record ModelConfig(String preset, ModelSpec spec, double labelSmoothing, LrScheduleConfig lrSchedule)
        implements Serializable {

    /** With a constant learning rate. */
    public ModelConfig(String preset, ModelSpec spec, double labelSmoothing) {
        this(preset, spec, labelSmoothing, LrScheduleConfig.constant());
    }

    /** The preset names a config may give, "custom" last. */
    static List<String> presetNames() {
        List<String> names = new ArrayList<>(Presets.all().keySet());
        names.add(CUSTOM);
        return names;
    }

    static final String CUSTOM = "custom";

    static ModelConfig from(ConfigReader r) {
        String preset = r.string("model.preset").trim().toLowerCase(Locale.ROOT);
        if (!presetNames().contains(preset)) {
            throw new InvalidInputException("model.preset = '" + r.string("model.preset") + "' is not allowed; allowed values: "
                    + String.join(", ", presetNames()));
        }
        List<LayerSpec> layers;
        if (preset.equals(CUSTOM)) {
            layers = LayerParser.parse(r.list("model.layers"));
            if (layers.isEmpty()) {
                throw new InvalidInputException("model.layers: preset 'custom' needs a non-empty layer list");
            }
        } else {
            if (!r.list("model.layers").isEmpty()) {
                throw new InvalidInputException("model.layers is set but model.preset is '" + preset
                        + "'; set model.preset = custom to use your own layers");
            }
            layers = Presets.all().get(preset);
        }
        ModelSpec spec = new ModelSpec(layers, r.choice("model.optimizer", Optimizer.values(), Optimizer::configName),
                r.positive("model.learning-rate"), r.fractionInclusive("model.momentum"),
                r.choice("model.weight-init", ModelSpec.WeightInitKind.values(), w -> w.name().toLowerCase(Locale.ROOT)),
                r.nonNegative("model.l2"), r.longValue("model.seed"), r.nonNegative("model.weight-decay"));
        // DL4J scales the decay by 1 for AdaDelta, which has no learning rate
        double decayRate = spec.optimizer() == Optimizer.ADADELTA ? 1.0 : spec.learningRate();
        if (spec.weightDecay() * decayRate >= 1) {
            String with = spec.optimizer() == Optimizer.ADADELTA ? "model.optimizer = adadelta (no learning rate:"
                    + " the decay is weight-decay x w per step)" : "model.learning-rate = " + spec.learningRate();
            throw new InvalidInputException("model.weight-decay = " + spec.weightDecay() + " with " + with + " would"
                    + " take learning-rate x weight-decay >= 1 of the weights each step (zeroing or flipping them);"
                    + " use a smaller weight decay (AdamW's default is 0.01)");
        }
        return new ModelConfig(preset, spec, r.fraction("model.label-smoothing"), LrScheduleConfig.from(r));
    }
}
