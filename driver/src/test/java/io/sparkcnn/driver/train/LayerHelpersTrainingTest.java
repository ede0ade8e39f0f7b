package io.sparkcnn.driver.train;

import io.sparkcnn.driver.TestData;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LayerHelpers;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import io.sparkcnn.workers.model.Presets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LeNet trained on real Fashion-MNIST for 200 minibatches from the same seed, once with the oneDNN layer
 * helpers and once on DL4J's builtin path: the two loss curves must agree within noise (float sums in
 * another order make the two runs drift apart slowly, as two PyTorch runs on different hardware do).
 */
class LayerHelpersTrainingTest {
    private static final int BATCH = 64;
    private static final int BATCHES = 200;
    private static final int WINDOW = 50;

    @AfterEach
    void helpersBackOn() {
        System.clearProperty(LayerHelpers.DISABLE_PROPERTY);
        LayerHelpers.enable();
    }

    private static List<DataSet> batches(String prefix, int count) throws IOException {
        byte[] images = TestData.gunzip(TestData.fashionMnistDir().resolve(prefix + "-images-idx3-ubyte.gz"));
        byte[] labels = TestData.gunzip(TestData.fashionMnistDir().resolve(prefix + "-labels-idx1-ubyte.gz"));
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] x = new float[BATCH * 784];
            float[] y = new float[BATCH * 10];
            for (int i = 0; i < BATCH; i++) {
                int r = b * BATCH + i;
                for (int k = 0; k < 784; k++) {
                    x[i * 784 + k] = (images[16 + r * 784 + k] & 0xFF) / 255f;
                }
                y[i * 10 + labels[8 + r]] = 1f;
            }
            out.add(new DataSet(Nd4j.create(x, new long[]{BATCH, 1, 28, 28}), Nd4j.create(y, new long[]{BATCH, 10})));
        }
        return out;
    }

    private record Run(double[] windowLoss, double accuracy, String helpers) {
    }

    private static Run train(boolean helpers, List<DataSet> train, List<DataSet> test) {
        System.setProperty(LayerHelpers.DISABLE_PROPERTY, helpers ? "false" : "true");
        ModelSpec spec = new ModelSpec(Presets.lenet(), Optimizer.ADAM, 0.002, 0.9, ModelSpec.WeightInitKind.XAVIER, 0, 42);
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.configuration(spec, new ImageShape(1, 28, 28), 10));
        net.init();
        double[] windows = new double[BATCHES / WINDOW];
        for (int i = 0; i < BATCHES; i++) {
            net.fit(train.get(i));
            windows[i / WINDOW] += net.score() / WINDOW;
        }
        Evaluation eval = new Evaluation(10);
        for (DataSet ds : test) {
            eval.eval(ds.getLabels(), net.output(ds.getFeatures(), false));
        }
        return new Run(windows, eval.accuracy(), LayerHelpers.describe(net));
    }

    @Test
    void lossCurvesAgreeWithAndWithoutHelpers() throws IOException {
        List<DataSet> train = batches("train", BATCHES);
        List<DataSet> test = batches("t10k", 16); // 1,024 held-out images
        Run fast = train(true, train, test);
        Run builtin = train(false, train, test);
        assertTrue(fast.helpers().contains("conv2d: oneDNN"), fast.helpers());
        assertTrue(builtin.helpers().contains("conv2d: builtin"), builtin.helpers());
        StringBuilder curves = new StringBuilder();
        for (int w = 0; w < fast.windowLoss().length; w++) {
            curves.append(String.format(Locale.ROOT, "%n  minibatches %3d-%3d: loss %.4f (oneDNN) vs %.4f (builtin)",
                    w * WINDOW + 1, (w + 1) * WINDOW, fast.windowLoss()[w], builtin.windowLoss()[w]));
        }
        System.out.println("Loss per window of " + WINDOW + " minibatches:" + curves
                + String.format(Locale.ROOT, "%n  held-out accuracy %.4f (oneDNN) vs %.4f (builtin)", fast.accuracy(),
                builtin.accuracy()));
        // the first window is the same arithmetic from the same weights; later ones drift within noise
        assertEquals(builtin.windowLoss()[0], fast.windowLoss()[0], 0.01, "first window" + curves);
        for (int w = 1; w < fast.windowLoss().length; w++) {
            assertEquals(builtin.windowLoss()[w], fast.windowLoss()[w], 0.05, "window " + w + curves);
        }
        assertEquals(builtin.accuracy(), fast.accuracy(), 0.03, "held-out accuracy" + curves);
        assertTrue(fast.accuracy() > 0.7, "LeNet learns Fashion-MNIST in 200 minibatches: " + fast.accuracy());
    }
}
