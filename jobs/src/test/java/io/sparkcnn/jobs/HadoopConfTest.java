package io.sparkcnn.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Hadoop settings of a job without a SparkContext: spark.hadoop.* reach them without the prefix, as in Spark. */
class HadoopConfTest {
    @Test
    void sparkHadoopPropertiesReachTheConfigurationWithoutThePrefix() {
        SparkConf spark = new SparkConf(false)
                .set("spark.hadoop.fs.defaultFS", "hdfs://namenode.example:8020")
                .set("spark.hadoop.dfs.client.use.datanode.hostname", "true")
                .set("spark.executor.memory", "6g");
        Configuration conf = HadoopConf.of(spark);
        assertEquals("hdfs://namenode.example:8020", conf.get("fs.defaultFS"));
        assertEquals("true", conf.get("dfs.client.use.datanode.hostname"));
        assertNull(conf.get("executor.memory"), "only spark.hadoop.* keys are Hadoop's");
        assertNull(conf.get("spark.executor.memory"));
    }

    @Test
    void withoutSparkHadoopPropertiesHadoopsOwnDefaultsStay() {
        assertEquals(new Configuration().get("fs.defaultFS"), HadoopConf.of(new SparkConf(false)).get("fs.defaultFS"));
    }

    @Test
    void fromSparkSubmitReadsTheSystemPropertiesSparkSubmitSets() {
        System.setProperty("spark.hadoop.fs.defaultFS", "hdfs://submitted.example:9000");
        try {
            assertEquals("hdfs://submitted.example:9000", HadoopConf.fromSparkSubmit().get("fs.defaultFS"));
        } finally {
            System.clearProperty("spark.hadoop.fs.defaultFS");
        }
    }
}
