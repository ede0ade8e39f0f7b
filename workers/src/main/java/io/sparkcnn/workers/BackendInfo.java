package io.sparkcnn.workers;

import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Describes the ND4J backend this JVM actually loaded, so a user sees at once whether the GPU is used. */
public final class BackendInfo {
    private BackendInfo() {
    }

    /** "CPU" or "CUDA". */
    public static String kind() {
        return Nd4j.getEnvironment().isCPU() ? "CPU" : "CUDA";
    }

    /** One line: backend, devices, threads, data type, layer helpers (whether oneDNN/cuDNN may be used). */
    public static String describe() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        StringBuilder sb = new StringBuilder("ND4J backend: ").append(kind())
                .append(" (").append(Nd4j.getBackend().getClass().getSimpleName()).append(")");
        int devices = Nd4j.getAffinityManager().getNumberOfDevices();
        if (Nd4j.getEnvironment().isCPU()) {
            sb.append(", devices: ").append(devices).append(" CPU (").append(env.getOrDefault("cores", "?")).append(" cores)");
        } else {
            sb.append(", devices: ").append(devices).append(" GPU");
            Object info = env.get("cuda.devicesInformation");
            if (info instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> m) {
                        sb.append(" [").append(m.get("cuda.deviceName")).append(", ")
                                .append(m.get("cuda.totalMemory")).append(" bytes]");
                    }
                }
            }
        }
        sb.append(", threads: omp=").append(env.getOrDefault("omp.threads", "?"))
                .append(" blas=").append(env.getOrDefault("blas.threads", "?"))
                .append(", blas: ").append(env.getOrDefault("blas.vendor", "?"))
                .append(", data type: ").append(Nd4j.dataType())
                .append(", layer helpers: ").append(LayerHelpers.jvmState());
        return sb.toString();
    }
}
