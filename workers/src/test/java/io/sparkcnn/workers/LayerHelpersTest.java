package io.sparkcnn.workers;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.layers.HelperUtils;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The switch itself: the property DL4J reads, the oneDNN check our shim answers, and what the CUDA
 * path would be asked to load (no GPU here: the same {@code HelperUtils.createHelper} call decides the
 * property before it looks at the backend, so a test of the property on the CPU covers both).
 */
class LayerHelpersTest {
    @AfterEach
    void reset() {
        System.clearProperty(LayerHelpers.DISABLE_PROPERTY);
        LayerHelpers.enable();
    }

    @Test
    void thePropertyIsWhatHelperUtilsReadsBeforeChoosingABackend() {
        System.setProperty(LayerHelpers.DISABLE_PROPERTY, "true");
        assertNull(HelperUtils.createHelper(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.CUDA_CNN_HELPER_CLASS_NAME,
                MKLDNNConvHelper.class.getName(), ConvolutionHelper.class, "conv", DataType.FLOAT),
                "disabled: no helper on any backend");
        System.clearProperty(LayerHelpers.DISABLE_PROPERTY);
        assertTrue(LayerHelpers.enable());
        Object helper = HelperUtils.createHelper(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.CUDA_CNN_HELPER_CLASS_NAME,
                MKLDNNConvHelper.class.getName(), ConvolutionHelper.class, "conv", DataType.FLOAT);
        assertInstanceOf(MKLDNNConvHelper.class, helper, "enabled on the CPU backend with oneDNN natives");
    }

    @Test
    void theShimAnswersDl4jsOneDnnCheck() throws Exception {
        // what BaseMKLDNNHelper.mklDnnEnabled() does by reflection
        Class<?> env = Class.forName("org.nd4j.nativeblas.Nd4jCpu$Environment");
        Object instance = env.getMethod("getInstance").invoke(null);
        assertEquals(true, env.getMethod("isUseMKLDNN").invoke(instance), LayerHelpers.jvmState());
        assertTrue(org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled());
    }

    @Test
    void theCudaPathAsksForCudnnClassesThatM21DoesNotPublish() {
        assertEquals(3, LayerHelpers.CUDNN_HELPER_CLASSES.size());
        assertTrue(LayerHelpers.CUDNN_HELPER_CLASSES.contains("org.deeplearning4j.cuda.convolution.CudnnConvolutionHelper"));
        // if a build ever brings them (deeplearning4j-cuda or classes of ours), this fails and the docs must change
        assertEquals(LayerHelpers.CUDNN_HELPER_CLASSES, LayerHelpers.missingCudnnHelpers());
        assertTrue(new ConvolutionLayer.Builder(3, 3).build().isCudnnAllowFallback(),
                "a failing helper falls back to the builtin path instead of failing the job");
    }
}
