package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim, not ND4J's class. DL4J 1.0.0-M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} asks
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()} whether oneDNN may be used;
 * nd4j-native M2.1 moved those bindings to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and
 * renamed the flag {@code isUseONEDNN()}. The lookup then fails and DL4J silently drops every oneDNN layer
 * helper (convolution, pooling, batch norm). This class answers the old question with the new flag.
 * See {@code io.sparkcnn.workers.LayerHelpers}.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The part of the old binding DL4J reflects on. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();
        private static volatile Boolean useOneDnn;

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * True when the loaded libnd4j was built with oneDNN (its build info says {@code HAVE_ONEDNN}) and
         * has oneDNN switched on. Reflection, because the CUDA build has no nd4j-native classes.
         */
        public boolean isUseMKLDNN() {
            Boolean known = useOneDnn;
            if (known == null) {
                known = lookUp();
                useOneDnn = known;
            }
            return known;
        }

        private static boolean lookUp() {
            try {
                String buildInfo = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
                if (buildInfo == null || !buildInfo.contains("HAVE_ONEDNN")) {
                    return false;
                }
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                Method flag = env.getMethod("isUseONEDNN");
                return (boolean) flag.invoke(instance);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                return false;
            }
        }
    }
}
