package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.workers.SampleRef;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import org.apache.hadoop.conf.Configuration;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the PyTorch reference (scripts/bench/pytorch_cifar.py) needs to train what the job trains: the resolved
 * layers, optimizer, schedule, augmentation and regularisation, and the job's own split (the files of each
 * split with their labels), so both sides read the same images in the same roles.
 */
final class Recipe {
    private Recipe() {
    }

    static Map<String, Object> of(File configFile, List<String> overrides) {
        TrainJobConfig cfg = ConfigLoader.load(configFile, overrides);
        if (!"image-folder".equals(cfg.data().format().configName())) {
            throw new InvalidInputException("data.format: the recipe covers image folders (file://), not "
                    + cfg.data().format().configName());
        }
        DatasetPreparer.Plan plan = DatasetPreparer.plan(cfg.data(), new Configuration());
        Config all = ConfigFactory.parseString(cfg.resolved()); // keys without the sparkcnn prefix
        ModelSpec spec = cfg.model().spec();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("preset", cfg.model().preset());
        r.put("layers", layers(spec.layers()));
        r.put("channels", cfg.data().shape().channels());
        r.put("height", cfg.data().shape().height());
        r.put("width", cfg.data().shape().width());
        r.put("scaling", all.getString("data.scaling"));
        r.put("class_names", plan.classNames());
        r.put("seed", spec.seed());
        r.put("weight_init", all.getString("model.weight-init"));
        r.put("optimizer", spec.optimizer().configName());
        r.put("learning_rate", spec.learningRate());
        r.put("momentum", spec.momentum());
        r.put("weight_decay", all.hasPath("model.weight-decay") ? all.getDouble("model.weight-decay") : 0.0);
        r.put("label_smoothing", all.hasPath("model.label-smoothing") ? all.getDouble("model.label-smoothing") : 0.0);
        r.put("lr_schedule", all.hasPath("model.lr-schedule") ? snake(all.getConfig("model.lr-schedule")) : Map.of("type", "constant"));
        r.put("augment", all.hasPath("data.augment") ? snake(all.getConfig("data.augment")) : Map.of());
        r.put("batch_size", cfg.training().batchSizePerWorker());
        r.put("max_epochs", cfg.training().maxEpochs());
        r.put("train", files(plan.train()));
        r.put("validation", files(plan.validation()));
        r.put("test", files(plan.test()));
        return r;
    }

    static void write(File configFile, List<String> overrides, File output) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(output, of(configFile, overrides));
    }

    /** A section's keys in snake case, values as HOCON resolved them (numbers, booleans, strings). */
    private static Map<String, Object> snake(Config section) {
        Map<String, Object> m = new LinkedHashMap<>();
        section.root().unwrapped().forEach((k, v) -> m.put(k.replace('-', '_'), v));
        return m;
    }

    /** [path, label] pairs; only local files, which the Python side opens directly. */
    private static List<List<Object>> files(List<SampleRef> refs) {
        List<List<Object>> out = new ArrayList<>(refs.size());
        for (SampleRef ref : refs) {
            // Hadoop's Path, not URI.create: file names may hold spaces, '#', ':' or unicode unescaped
            URI uri = ref.isIdxRecord() ? null : new org.apache.hadoop.fs.Path(ref.id()).toUri();
            if (uri == null || !"file".equals(uri.getScheme())) {
                throw new InvalidInputException("data.path: the recipe needs local image files (file://), got " + ref.id());
            }
            out.add(List.of(uri.getPath(), ref.label()));
        }
        return out;
    }

    /** The layer list in model.layers' vocabulary (docs/config.md), as the Python side builds it. */
    static List<Map<String, Object>> layers(List<LayerSpec> layers) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LayerSpec l : layers) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (l instanceof LayerSpec.Conv2D c) {
                m.put("type", "conv2d");
                m.put("filters", c.filters());
                m.put("kernel", c.kernel());
                m.put("stride", c.stride());
                m.put("padding", c.padding().name().toLowerCase(Locale.ROOT));
                m.put("activation", c.activation().name().toLowerCase(Locale.ROOT));
            } else if (l instanceof LayerSpec.Pool p) {
                m.put("type", p.type() == LayerSpec.PoolType.MAX ? "maxpool" : "avgpool");
                m.put("size", p.size());
                m.put("stride", p.stride());
            } else if (l instanceof LayerSpec.BatchNorm) {
                m.put("type", "batchnorm");
            } else if (l instanceof LayerSpec.Dropout d) {
                m.put("type", "dropout");
                m.put("rate", d.rate());
            } else if (l instanceof LayerSpec.Dense d) {
                m.put("type", "dense");
                m.put("units", d.units());
                m.put("activation", d.activation().name().toLowerCase(Locale.ROOT));
            } else {
                m.put("type", "output");
            }
            out.add(m);
        }
        return out;
    }
}
