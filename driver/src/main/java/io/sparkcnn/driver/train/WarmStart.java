package io.sparkcnn.driver.train;

import io.sparkcnn.driver.common.InvalidInputException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/**
 * Initial weights taken from an earlier model (the registry's champion) instead of the configured
 * initialisation: fine-tuning on new data, as Keras' {@code model.load_weights} before {@code fit}. The
 * optimizer state starts fresh; the network the config builds must have the same parameter shapes.
 */
public record WarmStart(MultiLayerNetwork source, String description, String modelFingerprint) {

    /** Copies the source's weights into {@code net}, or fails naming the first parameter whose shape differs. */
    public void applyTo(MultiLayerNetwork net) {
        Map<String, INDArray> from = source.paramTable();
        Map<String, INDArray> to = net.paramTable();
        if (!from.keySet().equals(to.keySet())) {
            throw new InvalidInputException("warm start from " + description + ": its layers have parameters " + from.keySet()
                    + " but the configured model has " + to.keySet() + "; use --from-scratch to train the new architecture");
        }
        for (Map.Entry<String, INDArray> e : to.entrySet()) {
            long[] want = e.getValue().shape();
            long[] have = from.get(e.getKey()).shape();
            if (!Arrays.equals(want, have)) {
                throw new InvalidInputException("warm start from " + description + ": parameter " + e.getKey() + " has shape "
                        + Arrays.toString(have) + " but the configured model needs " + Arrays.toString(want)
                        + " (another input shape, class count or layer size); use --from-scratch");
            }
        }
        net.setParams(source.params().dup());
    }
}
