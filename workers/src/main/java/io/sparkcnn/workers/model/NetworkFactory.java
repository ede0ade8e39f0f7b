package io.sparkcnn.workers.model;

import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LayerHelpers;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/** Turns a {@link ModelSpec} into a DL4J network configuration. */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    /** Builds and validates the configuration; a bad layer list fails with the offending layer named. */
    public static MultiLayerConfiguration configuration(ModelSpec spec, ImageShape input, int numClasses) {
        validateOrder(spec.layers());
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .updater(updater(spec))
                .weightInit(spec.weightInit() == ModelSpec.WeightInitKind.HE ? WeightInit.RELU : WeightInit.XAVIER)
                .l2(spec.l2())
                // Keeps each convolution's pre-activation from the forward pass for the backward pass; with the
                // default (NONE) DL4J's ConvolutionLayer runs the forward convolution a second time in backprop
                // (vgg-cifar: a training step 12% faster on one thread, ~250 MB more per JVM; docs/performance.md)
                .cacheMode(CacheMode.DEVICE)
                .list();
        List<LayerSpec> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layer(layers.get(i), numClasses);
            if (spec.weightDecay() > 0 && layer instanceof BaseLayer weighted && !(layer instanceof BatchNormalization)) {
                // Set on each layer, not on the builder: DL4J merges the builder's list into a layer twice, and
                // keeps only one of L2 and its WeightDecay; the layer's own list gets model.l2 merged in once.
                List<Regularization> regularization = new ArrayList<>();
                regularization.add(new DecoupledWeightDecay(spec.weightDecay()));
                weighted.setRegularization(regularization);
            }
            list.layer(i, layer);
        }
        InputType inputType = InputType.convolutional(input.height(), input.width(), input.channels());
        list.setInputType(inputType);
        MultiLayerConfiguration conf;
        List<InputType> outputs;
        try {
            conf = list.build();
            outputs = conf.getLayerActivationTypes(inputType);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the layer list does not fit a " + input + " input: " + e.getMessage(), e);
        }
        for (int i = 0; i < layers.size(); i++) {
            // Truncate mode computes (in - k) / s + 1 with integer division: a 2x2 window over a 1x1 map gives 1, not 0
            InputType in = i == 0 ? inputType : outputs.get(i - 1);
            int window = windowOf(layers.get(i));
            if (window > 0 && in instanceof InputType.InputTypeConvolutional c
                    && (c.getHeight() < window || c.getWidth() < window)) {
                throw new IllegalArgumentException("layer " + i + " (" + describe(layers.get(i)) + ") gets a "
                        + c.getHeight() + "x" + c.getWidth() + "x" + c.getChannels() + " input: the "
                        + (layers.get(i) instanceof LayerSpec.Pool ? "window" : "kernel") + " is larger than the map"
                        + " (the " + input + " input is too small for the layers before it)");
            }
        }
        for (int i = 0; i < outputs.size(); i++) {
            // DL4J accepts a kernel larger than its input in "valid" (truncate) mode and fails only when training
            if (outputs.get(i) instanceof InputType.InputTypeConvolutional c && (c.getHeight() < 1 || c.getWidth() < 1)) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i).getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)
                        + ") would output " + c.getHeight() + "x" + c.getWidth() + ": the " + input
                        + " input is too small for the kernels and pooling before it");
            }
        }
        return conf;
    }

    /** The kernel or window a layer slides without padding, or 0 when it needs no minimum input. */
    private static int windowOf(LayerSpec spec) {
        if (spec instanceof LayerSpec.Pool p) {
            return p.size();
        }
        if (spec instanceof LayerSpec.Conv2D c && c.padding() == LayerSpec.Padding.VALID) {
            return c.kernel();
        }
        return 0;
    }

    private static String describe(LayerSpec spec) {
        if (spec instanceof LayerSpec.Pool p) {
            return (p.type() == LayerSpec.PoolType.MAX ? "maxpool " : "avgpool ") + p.size() + "x" + p.size()
                    + " stride " + p.stride();
        }
        if (spec instanceof LayerSpec.Conv2D c) {
            return "conv2d " + c.kernel() + "x" + c.kernel() + " stride " + c.stride() + " valid";
        }
        return spec.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** A new, initialised network. */
    public static MultiLayerNetwork network(ModelSpec spec, ImageShape input, int numClasses) {
        LayerHelpers.enable(); // DL4J decides on a layer's helper when the layer is constructed
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(spec, input, numClasses));
        net.init();
        LayerHelpers.useBatchStatsBatchNorm(net);
        return net;
    }

    static IUpdater updater(ModelSpec spec) {
        double lr = spec.learningRate();
        return switch (spec.optimizer()) {
            case SGD -> new Sgd(lr);
            case MOMENTUM -> new ClassicMomentum(lr, spec.momentum());
            case NESTEROV -> new Nesterovs(lr, spec.momentum());
            case ADAGRAD -> new AdaGrad(lr);
            case RMSPROP -> new RmsProp(lr);
            // AdaDelta adapts its own step size; like Keras' Adadelta(learning_rate=1.0) default it has none to set here
            case ADADELTA -> new AdaDelta();
            case ADAM -> new Adam(lr);
        };
    }

    private static void validateOrder(List<LayerSpec> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the layer list is empty");
        }
        boolean dense = false;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            boolean last = i == layers.size() - 1;
            if (l instanceof LayerSpec.Output && !last) {
                throw new IllegalArgumentException("layer " + i + ": 'output' must be the last layer");
            }
            if (last && !(l instanceof LayerSpec.Output)) {
                throw new IllegalArgumentException("layer " + i + ": the last layer must be 'output' (softmax + cross-entropy)");
            }
            if (l instanceof LayerSpec.Dense) {
                dense = true;
            }
            if (dense && (l instanceof LayerSpec.Conv2D || l instanceof LayerSpec.Pool)) {
                throw new IllegalArgumentException("layer " + i + ": conv2d/pooling cannot follow a dense layer");
            }
        }
    }

    private static Layer layer(LayerSpec spec, int numClasses) {
        if (spec instanceof LayerSpec.Conv2D c) {
            return new ConvolutionLayer.Builder(c.kernel(), c.kernel())
                    .stride(c.stride(), c.stride())
                    .nOut(c.filters())
                    .activation(activation(c.activation()))
                    .convolutionMode(c.padding() == LayerSpec.Padding.SAME ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                    .build();
        }
        if (spec instanceof LayerSpec.Pool p) {
            return new SubsamplingLayer.Builder(p.type() == LayerSpec.PoolType.MAX ? PoolingType.MAX : PoolingType.AVG)
                    .kernelSize(p.size(), p.size())
                    .stride(p.stride(), p.stride())
                    .convolutionMode(ConvolutionMode.Truncate)
                    .build();
        }
        if (spec instanceof LayerSpec.BatchNorm) {
            return new BatchNormalization.Builder().build();
        }
        if (spec instanceof LayerSpec.Dropout d) {
            // DL4J takes the probability of keeping an activation; Keras the rate of dropping it
            return new DropoutLayer.Builder(1.0 - d.rate()).build();
        }
        if (spec instanceof LayerSpec.Dense d) {
            return new DenseLayer.Builder().nOut(d.units()).activation(activation(d.activation())).build();
        }
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(numClasses)
                .activation(Activation.SOFTMAX)
                .build();
    }

    private static Activation activation(LayerSpec.Activation a) {
        return switch (a) {
            case RELU -> Activation.RELU;
            case LEAKYRELU -> Activation.LEAKYRELU;
            case ELU -> Activation.ELU;
            case TANH -> Activation.TANH;
            case SIGMOID -> Activation.SIGMOID;
            case IDENTITY -> Activation.IDENTITY;
        };
    }
}
