package io.sparkcnn.driver.data;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.workers.SampleRef;
import org.apache.spark.Partition;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefSlicesTest {
    /** Spark warns about tasks above 1000 KiB (TaskSetManager.TASK_SIZE_TO_WARN_KIB). */
    private static final int SPARK_WARN_BYTES = 1000 * 1024;

    private static List<SampleRef> manyRefs(int n) {
        List<SampleRef> refs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            refs.add(SampleRef.file("hdfs://namenode:8020/data/photos/a-rather-long-class-name-" + (i % 10)
                    + "/img-" + String.format("%08d", i) + "-taken-on-a-holiday.jpg", i % 10));
        }
        return refs;
    }

    private static int largestSerializedPartition(JavaRDD<?> rdd) throws IOException {
        int largest = 0;
        for (Partition p : rdd.rdd().partitions()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(p);
            }
            largest = Math.max(largest, bytes.size());
        }
        return largest;
    }

    @Test
    void tasksCarrySliceNumbersNotRefsAndKeepTheRefOrder() throws IOException {
        JavaSparkContext sc = LocalSpark.get();
        List<SampleRef> refs = manyRefs(60_000);

        JavaRDD<SampleRef> sliced = DatasetPreparer.refSlices(sc, refs, 3);
        assertEquals(3, sliced.getNumPartitions());
        List<String> back = sliced.map(SampleRef::id).collect();
        assertEquals(refs.stream().map(SampleRef::id).toList(), back);
        int sliceBytes = largestSerializedPartition(sliced);
        assertTrue(sliceBytes < 4 * 1024, "a task's partition should be a few bytes, was " + sliceBytes);

        // what the tasks carried before: the refs themselves, past Spark's warning threshold
        int parallelizedBytes = largestSerializedPartition(sc.parallelize(refs, 3));
        assertTrue(parallelizedBytes > SPARK_WARN_BYTES, "parallelized refs should be large, were " + parallelizedBytes);
    }

    @Test
    void slicesAreCutAsSparkCutsAList() {
        JavaSparkContext sc = LocalSpark.get();
        List<SampleRef> refs = manyRefs(10);
        List<List<String>> ours = DatasetPreparer.refSlices(sc, refs, 4).map(SampleRef::id).glom().collect();
        List<List<String>> spark = sc.parallelize(refs, 4).map(SampleRef::id).glom().collect();
        assertEquals(spark, ours);
    }
}
