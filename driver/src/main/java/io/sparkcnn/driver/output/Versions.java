package io.sparkcnn.driver.output;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions of the stack as loaded at run time, for the manifest. */
public final class Versions {
    private Versions() {
    }

    public static Map<String, String> collect(String sparkVersion, String backend) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        v.put("spark", sparkVersion);
        v.put("scala", scala.util.Properties.versionNumberString());
        v.put("dl4j", maven("org.deeplearning4j", "deeplearning4j-nn"));
        v.put("dl4j_spark", maven("org.deeplearning4j", "dl4j-spark_2.12"));
        v.put("nd4j", maven("org.nd4j", "nd4j-api"));
        v.put("nd4j_backend", backend);
        v.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
        v.put("sparkcnn", maven("io.sparkcnn", "sparkcnn-driver"));
        return v;
    }

    static String maven(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
