package io.sparkcnn.driver.data;

import io.sparkcnn.workers.SampleRef;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Runs on executors: turns a slice number into that slice of the broadcast refs. The refs reach each
 * executor once as a broadcast, so a task carries one integer instead of its slice of paths (which for a
 * 60,000-image dataset made tasks of megabytes, and Spark's "task of very large size" warning).
 * Slices are cut as {@code sc.parallelize} cuts a list, so the refs keep their order.
 */
final class RefSlices implements FlatMapFunction<Iterator<Integer>, SampleRef> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SampleRef[]> refs;
    private final int slices;

    RefSlices(Broadcast<SampleRef[]> refs, int slices) {
        this.refs = refs;
        this.slices = slices;
    }

    @Override
    public Iterator<SampleRef> call(Iterator<Integer> sliceNumbers) {
        SampleRef[] all = refs.value();
        List<SampleRef> out = new java.util.ArrayList<>();
        while (sliceNumbers.hasNext()) {
            int slice = sliceNumbers.next();
            out.addAll(Arrays.asList(all).subList(start(slice, all.length, slices), start(slice + 1, all.length, slices)));
        }
        return out.iterator();
    }

    /** First index of {@code slice} when {@code n} items are cut into {@code slices} (Spark's own rule). */
    static int start(int slice, int n, int slices) {
        return (int) ((long) slice * n / slices);
    }
}
