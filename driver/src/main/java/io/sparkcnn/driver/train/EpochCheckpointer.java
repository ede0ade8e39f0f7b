package io.sparkcnn.driver.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;

/** Called by the epoch loop after every epoch, with the averaged network and the loop's state. */
@FunctionalInterface
public interface EpochCheckpointer {
    EpochCheckpointer NONE = (state, net) -> { };

    void save(TrainingState state, MultiLayerNetwork net) throws IOException;
}
