package io.sparkcnn.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The Hadoop settings a SparkContext would get, for a job that needs them before it has a context (train
 * --resume reads the stored config first) or never creates one (registry). With a context, use
 * {@code sc.hadoopConfiguration()}. Spark builds its own the same way, but in {@code SparkHadoopUtil}, which
 * is {@code private[spark]}.
 */
final class HadoopConf {
    static final String SPARK_HADOOP_PREFIX = "spark.hadoop.";
    /** In YARN cluster mode the submitting client's Hadoop settings reach the driver in this classpath file. */
    static final String SPARK_HADOOP_CONF_FILE = "__spark_hadoop_conf__.xml";

    private HadoopConf() {
    }

    /** From spark-submit's settings: the spark.* system properties it sets, and HADOOP_CONF_DIR on the classpath. */
    static Configuration fromSparkSubmit() {
        return of(new SparkConf());
    }

    /**
     * core-site.xml and hdfs-site.xml from the classpath (new Configuration() reads them), then every
     * {@code spark.hadoop.*} property of {@code spark} with the prefix stripped, as Spark does.
     */
    static Configuration of(SparkConf spark) {
        Configuration conf = new Configuration();
        conf.addResource(SPARK_HADOOP_CONF_FILE); // absent outside YARN: Configuration skips a missing classpath resource
        for (Tuple2<String, String> e : spark.getAllWithPrefix(SPARK_HADOOP_PREFIX)) {
            conf.set(e._1(), e._2(), SPARK_HADOOP_PREFIX + e._1()); // the source Configuration reports for it
        }
        return conf;
    }
}
