package io.sparkcnn.driver.output;

import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.driver.data.ImageFolderLister;
import io.sparkcnn.workers.SampleRef;
import org.apache.hadoop.fs.Path;

import java.util.ArrayList;
import java.util.List;

/** What each job reads, for {@link RunFolder#checkNotInput}: its output must not swallow any of it. */
public final class JobInputs {
    private JobInputs() {
    }

    /** The train job's inputs: the dataset's folder (for a glob, the folder its pattern starts below) or IDX files. */
    public static List<RunFolder.Input> ofDataset(DataConfig data) {
        List<RunFolder.Input> inputs = new ArrayList<>();
        if (data.format() == DataConfig.Format.IMAGE_FOLDER) {
            addIfSet(inputs, "data.path", globFreeAncestor(data.path()));
            addIfSet(inputs, "data.test-path", globFreeAncestor(data.testPath()));
            return inputs;
        }
        addIfSet(inputs, "data.idx-train-images", data.idxTrainImages());
        addIfSet(inputs, "data.idx-train-labels", data.idxTrainLabels());
        addIfSet(inputs, "data.idx-test-images", data.idxTestImages());
        addIfSet(inputs, "data.idx-test-labels", data.idxTestLabels());
        return inputs;
    }

    /** The evaluate job's inputs: the model (run folder or model.zip) and the dataset. */
    public static List<RunFolder.Input> ofEvaluate(String model, DataConfig data) {
        List<RunFolder.Input> all = new ArrayList<>();
        all.add(new RunFolder.Input("--model", model));
        all.addAll(ofDataset(data));
        return all;
    }

    /** The retrain job's inputs: the training data and the holdout (its registry must hold neither). */
    public static List<RunFolder.Input> ofRetrain(DataConfig data, DataConfig holdout) {
        List<RunFolder.Input> all = new ArrayList<>(ofDataset(data));
        if (holdout.format() == DataConfig.Format.IMAGE_FOLDER) {
            addIfSet(all, "registry.holdout.path", globFreeAncestor(holdout.path()));
        } else {
            addIfSet(all, "registry.holdout.idx-images", holdout.idxTrainImages());
            addIfSet(all, "registry.holdout.idx-labels", holdout.idxTrainLabels());
        }
        return all;
    }

    /** The predict job's inputs: the model, every --input and --input-list, and every image they name. */
    public static List<RunFolder.Input> ofPredict(String model, List<String> inputs, List<String> inputLists,
                                                  List<SampleRef> images) {
        List<RunFolder.Input> all = new ArrayList<>();
        all.add(new RunFolder.Input("--model", model));
        inputs.forEach(i -> all.add(new RunFolder.Input("--input", i)));
        inputLists.forEach(l -> all.add(new RunFolder.Input("--input-list", l)));
        // a listed image may live anywhere, e.g. inside the output folder given
        images.forEach(r -> all.add(new RunFolder.Input("an image to predict", r.id())));
        return all;
    }

    private static void addIfSet(List<RunFolder.Input> inputs, String key, String uri) {
        if (uri != null && !uri.isEmpty()) {
            inputs.add(new RunFolder.Input(key, uri));
        }
    }

    /** {@code images/dt=*} → {@code images}: the deepest folder the glob's matches all lie in. */
    static String globFreeAncestor(String uri) {
        if (uri == null || uri.isBlank()) {
            return uri;
        }
        Path p = new Path(uri);
        while (p.getParent() != null && ImageFolderLister.isGlob(p.toUri().getPath())) {
            p = p.getParent();
        }
        return p.toString();
    }
}
