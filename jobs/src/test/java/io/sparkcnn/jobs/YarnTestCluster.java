package io.sparkcnn.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YARN cluster on loopback for the YARN integration tests: a MiniYARNCluster (one ResourceManager, two
 * NodeManagers whose containers are real processes) over a MiniDFSCluster, with their configuration written to a
 * folder the tests hand to {@code scripts/submit.sh} as {@code HADOOP_CONF_DIR}, as a user's machine has one.
 *
 * <p>Sizes, for a 2-core machine with 24 GB: each NodeManager offers {@value #NODE_MEMORY_MB} MB and
 * {@value #NODE_VCORES} vcores; containers are granted in steps of {@value #MIN_ALLOCATION_MB} MB up to
 * {@value #MAX_ALLOCATION_MB} MB. A job as {@link #SPARK_ARGS} asks: the driver (ApplicationMaster) 1 GB heap +
 * 768 MB overhead, two executors of 1 GB heap + 768 MB overhead (ND4J's arrays live off the heap, in the overhead),
 * so 3 x 1792 MB = 5.25 GB of the 10 GB. Physical memory is enforced (a container whose processes grow past
 * their grant is killed, as on a production NodeManager); the virtual-memory check is off, as most distributions
 * ship it, because a JVM's reserved address space says nothing about the memory it uses.
 */
final class YarnTestCluster implements AutoCloseable {
    static final int NODE_MANAGERS = 2;
    static final int NODE_MEMORY_MB = 5120;
    static final int NODE_VCORES = 2;
    static final int MIN_ALLOCATION_MB = 256;
    static final int MAX_ALLOCATION_MB = 4096;

    /** Where the fixture puts Spark's jars (spark.yarn.jars) and the shaded jar (SPARKCNN_JAR) on HDFS, once. */
    static final String SPARK_JARS = "/apps/spark/jars";
    static final String APP_JARS = "/apps/sparkcnn";

    /**
     * The spark-submit options of every job the tests submit: the README's YARN command, sized for this cluster
     * (spark.yarn.jars is added by {@link #submit}).
     */
    static final List<String> SPARK_ARGS = List.of(
            "--master", "yarn", "--deploy-mode", "cluster",
            "--num-executors", "2", "--executor-cores", "1",
            "--driver-memory", "1g", "--executor-memory", "1g",
            "--conf", "spark.driver.memoryOverhead=768m", "--conf", "spark.executor.memoryOverhead=768m",
            "--conf", "spark.driver.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=512M"
                    + " -Dorg.bytedeco.javacpp.maxphysicalbytes=1700M",
            "--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=512M"
                    + " -Dorg.bytedeco.javacpp.maxphysicalbytes=1700M",
            "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
            "--conf", "spark.yarn.maxAppAttempts=2");

    final MiniDFSCluster dfs;
    final FileSystem fs;
    /** hdfs://localhost:port */
    final String hdfs;
    final MiniYARNCluster yarn;
    final YarnClient client;
    /** core-site.xml and yarn-site.xml of both clusters: what HADOOP_CONF_DIR points at. */
    final Path confDir;

    /** hdfs://.../apps/sparkcnn/sparkcnn-jobs-*-shaded.jar */
    private final String appJar;

    private YarnTestCluster(MiniDFSCluster dfs, MiniYARNCluster yarn, YarnClient client, Path confDir) throws IOException {
        this.dfs = dfs;
        this.fs = dfs.getFileSystem();
        this.hdfs = fs.getUri().toString();
        this.yarn = yarn;
        this.client = client;
        this.confDir = confDir;
        this.appJar = uploadJars();
    }

    /**
     * As the README advises for production: Spark's jars (the build's spark-runtime classpath) and the shaded jar
     * go to HDFS once, world-readable, so every submission names them instead of uploading ~430 MB, and each
     * NodeManager localizes them once into its public cache for all applications.
     */
    private String uploadJars() throws IOException {
        Path root = projectRoot();
        String classpath = Files.readString(root.resolve("spark-runtime/target/spark-runtime-classpath.txt")).trim();
        org.apache.hadoop.fs.Path jars = new org.apache.hadoop.fs.Path(SPARK_JARS);
        for (String jar : classpath.split(java.io.File.pathSeparator)) {
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(jar),
                    new org.apache.hadoop.fs.Path(jars, Path.of(jar).getFileName().toString()));
        }
        Path shaded = ShadedJarIT.shadedJar().toAbsolutePath();
        org.apache.hadoop.fs.Path app = new org.apache.hadoop.fs.Path(APP_JARS, shaded.getFileName().toString());
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(shaded.toString()), app);
        return hdfs + app.toUri().getPath();
    }

    /** The web apps' Jersey logs every resource binding through java.util.logging at INFO. */
    private static final java.util.logging.Logger JERSEY = java.util.logging.Logger.getLogger("org.apache.hadoop.shaded.com.sun.jersey");

    static YarnTestCluster start(Path base) throws Exception {
        JERSEY.setLevel(java.util.logging.Level.WARNING);
        Configuration dfsConf = new Configuration();
        dfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("dfs").toString());
        dfsConf.setInt(TestCluster.FAST_CLOSE, 5);
        MiniDFSCluster dfs = new MiniDFSCluster.Builder(dfsConf).numDataNodes(1).build();
        dfs.waitActive();
        String hdfs = dfs.getFileSystem().getUri().toString();

        YarnConfiguration conf = new YarnConfiguration();
        conf.set("fs.defaultFS", hdfs);
        conf.setInt(TestCluster.FAST_CLOSE, 5);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, NODE_MEMORY_MB);
        conf.setInt(YarnConfiguration.NM_VCORES, NODE_VCORES);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, MIN_ALLOCATION_MB);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, MAX_ALLOCATION_MB);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 2);
        // containers' logs go to HDFS when their application ends, where `yarn logs -applicationId` reads them
        conf.setBoolean(YarnConfiguration.LOG_AGGREGATION_ENABLED, true);
        conf.set(YarnConfiguration.NM_REMOTE_APP_LOG_DIR, "/tmp/logs");
        // the CapacityScheduler (YARN's default) with one queue, as a stock capacity-scheduler.xml has (the
        // minicluster jar ships none); the ApplicationMaster (our driver) is a third of a job's memory: the
        // default 10% would keep it waiting
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 0.5f);
        // a build machine's disk may be fuller than the 90% at which a NodeManager calls itself unhealthy
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
        MiniYARNCluster yarn = new MiniYARNCluster("sparkcnn-yarn", NODE_MANAGERS, 1, 1);
        yarn.init(conf);
        yarn.start();
        if (!yarn.waitForNodeManagersToConnect(60_000)) {
            throw new IllegalStateException("the NodeManagers did not register with the ResourceManager");
        }

        Path confDir = Files.createDirectories(base.resolve("hadoop-conf"));
        Configuration written = new Configuration(yarn.getConfig());
        try (OutputStream out = Files.newOutputStream(confDir.resolve("yarn-site.xml"))) {
            written.writeXml(out);
        }
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", hdfs);
        core.setInt(TestCluster.FAST_CLOSE, 5);
        try (OutputStream out = Files.newOutputStream(confDir.resolve("core-site.xml"))) {
            core.writeXml(out);
        }
        YarnClient client = YarnClient.createYarnClient();
        client.init(yarn.getConfig());
        client.start();
        return new YarnTestCluster(dfs, yarn, client, confDir);
    }

    /** The project's root, where scripts/submit.sh lies (Failsafe runs in the jobs module's folder). */
    static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("scripts/submit.sh")) ? here : here.getParent();
    }

    /** How a submission gets Spark's jars and the shaded jar into the containers. */
    enum Jars {
        /** submit.sh's default: both uploaded from this machine into the application's HDFS staging folder. */
        UPLOADED,
        /** Both already on HDFS (spark.yarn.jars, SPARKCNN_JAR): the production setting. */
        ON_HDFS
    }

    /**
     * Starts {@code scripts/submit.sh <job> <SPARK_ARGS> <sparkArgs> -- <jobArgs>} in {@code workDir} as a user
     * would, HADOOP_CONF_DIR set and no Spark installation; its output goes to {@code log}.
     */
    Process submit(String job, Jars jars, List<String> sparkArgs, List<String> jobArgs, Path workDir, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", projectRoot().resolve("scripts/submit.sh").toString(), job));
        cmd.addAll(SPARK_ARGS);
        if (jars == Jars.ON_HDFS) {
            cmd.addAll(List.of("--conf", "spark.yarn.jars=" + hdfs + SPARK_JARS + "/*.jar"));
        }
        cmd.addAll(sparkArgs);
        cmd.add("--");
        cmd.addAll(jobArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("SPARK_HOME");
        env.remove("SPARK_TESTING"); // the jobs run as they do for users, not in Spark's test mode
        env.remove("YARN_CONF_DIR");
        env.put("HADOOP_CONF_DIR", confDir.toString());
        env.put("SPARKCNN_DRIVER_OPTS", "-Xmx512m"); // in cluster mode this JVM only submits and waits
        env.remove("SPARKCNN_JAR");
        if (jars == Jars.ON_HDFS) {
            env.put("SPARKCNN_JAR", appJar);
        }
        return pb.start();
    }

    /**
     * What {@code yarn logs -applicationId <app>} prints: Hadoop's LogsCLI (the class behind that command) in its
     * own JVM with HADOOP_CONF_DIR on its classpath, as the yarn script runs it. The
     * NodeManagers upload a finished application's logs in the background: asked again until they are there.
     */
    String yarnLogs(ApplicationId app) throws Exception {
        // the test's class path: LogsCLI needs more of Hadoop (Jettison) than the client jars Spark ships with
        String classpath = confDir + java.io.File.pathSeparator + System.getProperty("java.class.path");
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        long deadline = System.currentTimeMillis() + 60_000;
        String out = "";
        while (System.currentTimeMillis() < deadline) {
            Process p = new ProcessBuilder(javaCommand, "-Xmx256m", "-cp", classpath, "org.apache.hadoop.yarn.client.cli.LogsCLI",
                    "-applicationId", app.toString()).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() == 0 && out.contains("LogType:stderr")) {
                return out;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("yarn logs -applicationId " + app + " printed no container log in 60 s:\n" + out);
    }

    private static final Pattern APP_ID = Pattern.compile("application_\\d+_\\d+");

    /** The application id the YARN client logged when it submitted. */
    static Optional<ApplicationId> applicationIdIn(Path log) throws IOException {
        Matcher m = APP_ID.matcher(Files.exists(log) ? Files.readString(log) : "");
        return m.find() ? Optional.of(ApplicationId.fromString(m.group())) : Optional.empty();
    }

    ApplicationReport report(ApplicationId app) throws Exception {
        return client.getApplicationReport(app);
    }

    /** The application's attempts, oldest first. */
    List<ApplicationAttemptReport> attempts(ApplicationId app) throws Exception {
        List<ApplicationAttemptReport> attempts = new ArrayList<>(client.getApplicationAttempts(app));
        attempts.sort((a, b) -> Integer.compare(a.getApplicationAttemptId().getAttemptId(),
                b.getApplicationAttemptId().getAttemptId()));
        return attempts;
    }

    /** The running containers of the application's current attempt other than its ApplicationMaster's. */
    List<ContainerReport> executorContainers(ApplicationId app) throws Exception {
        ApplicationAttemptReport current = client.getApplicationAttemptReport(report(app).getCurrentApplicationAttemptId());
        List<ContainerReport> executors = new ArrayList<>();
        for (ContainerReport c : client.getContainers(current.getApplicationAttemptId())) {
            if (!c.getContainerId().equals(current.getAMContainerId())) {
                executors.add(c);
            }
        }
        return executors;
    }

    /** The JVM of a running container, found in the process table by the container id in its command line. */
    static ProcessHandle containerJvm(ContainerId container) {
        String id = container.toString();
        List<ProcessHandle> jvms = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(id + " ") || c.contains(id + "/")).orElse(false))
                .toList();
        if (jvms.size() != 1) {
            throw new IllegalStateException("expected one JVM of container " + id + ", found " + jvms.size());
        }
        return jvms.get(0);
    }

    /** The peak resident memory (VmHWM) of a container's JVM so far, in MB, for the memory figures in the docs. */
    static long peakResidentMb(ContainerId container) throws IOException {
        long pid = containerJvm(container).pid();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    /**
     * SIGKILLs the JVM of a container: the NodeManager launched it (bash launch_container.sh, then java) with the
     * container's id in its log folder argument; found in the process table, as an operator would find it.
     */
    static long killContainerJvm(ContainerId container) {
        ProcessHandle jvm = containerJvm(container);
        jvm.destroyForcibly();
        return jvm.pid();
    }

    @Override
    public void close() {
        client.stop();
        yarn.stop();
        dfs.shutdown();
    }
}
