package io.sparkcnn.driver.eval;

import io.sparkcnn.workers.LayerHelpers;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * Ships a network to executors as its JSON configuration and parameters, and builds it lazily there,
 * once per executor thread (a MultiLayerNetwork is not thread-safe). Broadcast it; never capture a
 * driver-side network in a closure.
 */
public final class NetworkHolder implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String configurationJson;
    private final INDArray params;
    private transient volatile ThreadLocal<MultiLayerNetwork> networks;

    public NetworkHolder(MultiLayerNetwork net) {
        this.configurationJson = net.getLayerWiseConfigurations().toJson();
        this.params = net.params().dup();
    }

    public MultiLayerNetwork get() {
        ThreadLocal<MultiLayerNetwork> local = networks;
        if (local == null) {
            synchronized (this) {
                if (networks == null) {
                    networks = ThreadLocal.withInitial(this::build);
                }
                local = networks;
            }
        }
        return local.get();
    }

    private MultiLayerNetwork build() {
        LayerHelpers.enable(); // on an executor this may be the first network of the JVM
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        net.init(params.dup(), false);
        return net;
    }
}
