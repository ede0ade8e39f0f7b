package io.sparkcnn.driver.train;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting from the champion's weights: copied when the shapes agree, refused naming the parameter when not. */
class WarmStartTest {
    private static MultiLayerNetwork net(int units, int classes, long seed) {
        return NetworkFactory.network(new ModelSpec(List.of(new LayerSpec.Dense(units, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), Optimizer.ADAM, 0.01, 0, ModelSpec.WeightInitKind.XAVIER, 0, seed),
                new ImageShape(1, 6, 6), classes);
    }

    @Test
    void copiesTheWeightsIntoTheConfiguredNetwork() {
        MultiLayerNetwork champion = net(8, 3, 1);
        MultiLayerNetwork fresh = net(8, 3, 2);
        assertNotEquals(champion.params(), fresh.params());
        new WarmStart(champion, "champion r1", "sha256:x").applyTo(fresh);
        assertEquals(champion.params(), fresh.params());
        fresh.params().addi(1); // a copy: training the challenger leaves the champion alone
        assertNotEquals(champion.params(), fresh.params());
    }

    @Test
    void anotherClassCountIsRefusedNamingTheParameter() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new WarmStart(net(8, 3, 1), "champion r1", "sha256:x").applyTo(net(8, 4, 1)));
        assertTrue(e.getMessage().contains("champion r1") && e.getMessage().contains("1_W")
                && e.getMessage().contains("[8, 3]") && e.getMessage().contains("[8, 4]")
                && e.getMessage().contains("--from-scratch"), e.getMessage());
    }
}
