package io.sparkcnn.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the integration tests run on: HDFS on loopback (a MiniDFSCluster with one datanode) and the Spark
 * settings spark-submit would pass, as system properties (the jobs never set a master themselves).
 */
final class TestCluster implements AutoCloseable {
    /** A client waits 400 ms before asking again whether a closed block is replicated; one datanode needs no wait. */
    static final String FAST_CLOSE = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";

    final MiniDFSCluster dfs;
    final FileSystem fs;
    /** hdfs://localhost:port */
    final String hdfs;
    private final List<String> properties = new ArrayList<>();

    private TestCluster(MiniDFSCluster dfs) throws IOException {
        this.dfs = dfs;
        this.fs = dfs.getFileSystem();
        this.hdfs = fs.getUri().toString();
    }

    /** Starts HDFS under {@code base} and sets the Spark master, UI off, loopback driver and fast HDFS closes. */
    static TestCluster start(java.nio.file.Path base, String master) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("dfs").toString());
        conf.setInt(FAST_CLOSE, 5);
        MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        dfs.waitActive();
        return new TestCluster(dfs).property("spark.master", master).property("spark.ui.enabled", "false")
                .property("spark.driver.host", "127.0.0.1").property("spark.hadoop." + FAST_CLOSE, "5");
    }

    /** Sets a system property for the jobs started by the test, cleared again by {@link #close()}. */
    TestCluster property(String key, String value) {
        System.setProperty(key, value);
        properties.add(key);
        return this;
    }

    /**
     * Starts a job's main class as its own driver process (as spark-submit would: a new JVM with this JVM's
     * class path and module flags, master local[2], this cluster's fast HDFS closes), output to {@code log}.
     */
    static Process startDriverProcess(Class<?> main, List<String> args, java.nio.file.Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Dorg.bytedeco") || a.startsWith("-XX:+IgnoreUnrecognized")
                    || a.startsWith("-Djdk.reflect")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), "-Dspark.master=local[2]",
                "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1", "-Dspark.hadoop." + FAST_CLOSE + "=5",
                main.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Override
    public void close() {
        properties.forEach(System::clearProperty);
        dfs.shutdown();
    }
}
