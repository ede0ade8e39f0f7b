package io.sparkcnn.driver;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The one local Spark context the tests of a JVM share (local[2]: two task threads, as two workers). */
public final class LocalSpark {
    private static JavaSparkContext context;

    private LocalSpark() {
    }

    public static synchronized JavaSparkContext get() {
        if (context == null) {
            SparkConf conf = new SparkConf()
                    .setMaster("local[2]")
                    .setAppName("sparkcnn-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
            context = new JavaSparkContext(conf);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> context.stop()));
        }
        return context;
    }
}
