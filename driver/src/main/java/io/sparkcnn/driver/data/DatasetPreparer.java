package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.ImageDecoder;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.SampleRef;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Driver side of data loading: lists the dataset, makes the stratified seeded split, spreads each split
 * over RDD partitions, has the executors decode it once (cached, serialized, spilling to disk), collects
 * the skipped files, and fits the scaling on the training split.
 */
public final class DatasetPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreparer.class);

    private DatasetPreparer() {
    }

    /** What the driver knows before decoding: the refs of each split and the dataset's identity. */
    public record Plan(List<String> classNames, List<SampleRef> train, List<SampleRef> validation, List<SampleRef> test,
                       List<String> sources, String fingerprint) {
    }

    /** Lists and splits; touches no executor. Bad input fails here, before anything is written. */
    public static Plan plan(DataConfig cfg, org.apache.hadoop.conf.Configuration hadoopConf) {
        return cfg.format() == DataConfig.Format.IDX ? planIdx(cfg, hadoopConf) : planFolder(cfg, hadoopConf);
    }

    private static Plan planFolder(DataConfig cfg, org.apache.hadoop.conf.Configuration hadoopConf) {
        ImageFolderLister.Listing listing = ImageFolderLister.list(cfg.path(), hadoopConf);
        // with a test folder, validation is carved from data.path alone, as Keras' validation_split
        double testFraction = cfg.hasSeparateTestSet() ? 0.0 : cfg.testFraction();
        StratifiedSplit.Parts<ImageFolderLister.ImageFile> parts = StratifiedSplit.split(listing.files(),
                ImageFolderLister.ImageFile::label, listing.classNames(), cfg.validationFraction(), testFraction,
                cfg.seed());
        Hashing fp = Hashing.fingerprint().add("image-folder");
        addFiles(fp, cfg.path(), listing);
        List<ImageFolderLister.ImageFile> test = parts.test();
        List<String> sources = new ArrayList<>(ImageFolderLister.isGlob(cfg.path()) ? listing.roots() : List.of(cfg.path()));
        if (cfg.hasSeparateTestSet()) {
            ImageFolderLister.Listing testListing = ImageFolderLister.list(cfg.testPath(), hadoopConf, "data.test-path");
            test = relabel(testListing, listing.classNames(), cfg);
            fp.add("test");
            addFiles(fp, cfg.testPath(), testListing);
            sources.add(cfg.testPath());
        }
        List<ImageFolderLister.ImageFile> train = StratifiedSplit.subsample(parts.train(), ImageFolderLister.ImageFile::label,
                listing.classNames().size(), cfg.maxTrainImages(), cfg.seed());
        return new Plan(listing.classNames(), refs(train), refs(parts.validation()), refs(test), sources, fp.label());
    }

    private static void addFiles(Hashing fp, String root, ImageFolderLister.Listing listing) {
        boolean glob = ImageFolderLister.isGlob(root);
        for (ImageFolderLister.ImageFile f : listing.files()) {
            // a glob's files are told apart by their partition folder: dt=2/Coat/1.png is not dt=1/Coat/1.png
            String id = glob ? relativeToParentOfRoot(f.uri(), listing.roots())
                    : relative(f.uri(), listing.classNames().get(f.label()));
            fp.add(id).add(Long.toString(f.length()));
        }
    }

    /**
     * The test folder's images labelled by the training folder's class order. Its classes must be the training
     * classes (a class missing from the test folder is allowed: it is then untested, and the report shows it).
     */
    private static List<ImageFolderLister.ImageFile> relabel(ImageFolderLister.Listing test, List<String> classNames,
                                                             DataConfig cfg) {
        List<String> unknown = test.classNames().stream().filter(c -> !classNames.contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidInputException("data.test-path " + cfg.testPath() + " has class folders that data.path "
                    + cfg.path() + " does not: " + String.join(", ", unknown) + " (the classes are " + String.join(", ", classNames)
                    + "); a model cannot be tested on classes it was not trained on");
        }
        return test.files().stream().map(f -> new ImageFolderLister.ImageFile(f.uri(), f.length(),
                classNames.indexOf(test.classNames().get(f.label())))).toList();
    }

    private static String relativeToParentOfRoot(String uri, List<String> roots) {
        for (String root : roots) {
            if (uri.startsWith(root + "/")) {
                return uri.substring(root.lastIndexOf('/') + 1);
            }
        }
        return uri;
    }

    private static String relative(String uri, String className) {
        int i = uri.lastIndexOf('/' + className + '/');
        return i < 0 ? uri : uri.substring(i + 1);
    }

    private static List<SampleRef> refs(List<ImageFolderLister.ImageFile> files) {
        return files.stream().map(f -> SampleRef.file(f.uri(), f.label())).toList();
    }

    private static Plan planIdx(DataConfig cfg, org.apache.hadoop.conf.Configuration hadoopConf) {
        Hashing fp = Hashing.fingerprint().add("idx");
        List<SampleRef> pool = readIdxPair(cfg.idxTrainImages(), cfg.idxTrainLabels(), hadoopConf, fp);
        List<SampleRef> separateTest = cfg.hasSeparateTestSet()
                ? readIdxPair(cfg.idxTestImages(), cfg.idxTestLabels(), hadoopConf, fp) : List.of();
        int maxLabel = IntStream.concat(pool.stream().mapToInt(SampleRef::label), separateTest.stream().mapToInt(SampleRef::label))
                .max().orElse(-1);
        List<String> classNames = cfg.classNames();
        if (classNames.isEmpty()) {
            classNames = IntStream.rangeClosed(0, maxLabel).mapToObj(String::valueOf).toList();
        } else if (classNames.size() <= maxLabel) {
            throw new InvalidInputException("data.class-names has " + classNames.size() + " names but the labels in "
                    + cfg.idxTrainLabels() + " go up to " + maxLabel);
        }
        if (classNames.size() < 2) {
            throw new InvalidInputException("IDX labels " + cfg.idxTrainLabels() + " hold fewer than two classes");
        }
        double testFraction = cfg.hasSeparateTestSet() ? 0.0 : cfg.testFraction();
        StratifiedSplit.Parts<SampleRef> parts = StratifiedSplit.split(pool, SampleRef::label, classNames,
                cfg.validationFraction(), testFraction, cfg.seed());
        List<SampleRef> test = cfg.hasSeparateTestSet() ? separateTest : parts.test();
        List<SampleRef> train = StratifiedSplit.subsample(parts.train(), SampleRef::label, classNames.size(),
                cfg.maxTrainImages(), cfg.seed());
        List<String> sources = new ArrayList<>(List.of(cfg.idxTrainImages(), cfg.idxTrainLabels()));
        if (cfg.hasSeparateTestSet()) {
            sources.add(cfg.idxTestImages());
            sources.add(cfg.idxTestLabels());
        }
        return new Plan(classNames, train, parts.validation(), test, sources, fp.label());
    }

    private static List<SampleRef> readIdxPair(String imagesUri, String labelsUri, org.apache.hadoop.conf.Configuration conf,
                                               Hashing fp) {
        IdxFile images = IdxFile.read(imagesUri, conf);
        IdxFile labels = IdxFile.read(labelsUri, conf);
        fp.add(images.sha256()).add(labels.sha256());
        if (images.dims().length != 3) {
            throw new InvalidInputException("IDX images file " + imagesUri + " has " + images.dims().length
                    + " dimensions; expected 3 (count, rows, columns)");
        }
        if (labels.dims().length != 1) {
            throw new InvalidInputException("IDX labels file " + labelsUri + " has " + labels.dims().length
                    + " dimensions; expected 1 (count)");
        }
        if (images.count() != labels.count()) {
            throw new InvalidInputException("IDX files disagree: " + imagesUri + " holds " + images.count() + " images but "
                    + labelsUri + " holds " + labels.count() + " labels");
        }
        if (images.count() == 0) {
            throw new InvalidInputException("IDX file " + imagesUri + " holds no images");
        }
        // only record numbers travel to the executors; each reads the images file itself
        List<SampleRef> refs = new ArrayList<>(images.count());
        for (int i = 0; i < images.count(); i++) {
            refs.add(SampleRef.idxRecord(imagesUri, i, labels.data()[i] & 0xFF));
        }
        return refs;
    }

    /**
     * Decodes the planned splits on the executors and fits the scaling on the training split. The decoded
     * splits are cached and checkpointed under {@code checkpointDir} (a folder on a FileSystem every
     * executor reaches, e.g. inside the unfinished run folder on HDFS).
     */
    public static PreparedData prepare(JavaSparkContext sc, DataConfig cfg, Plan plan, String checkpointDir) {
        sc.setCheckpointDir(checkpointDir);
        int partitions = cfg.partitions() > 0 ? cfg.partitions() : sc.defaultParallelism();
        Broadcast<HadoopConfHolder> conf = sc.broadcast(new HadoopConfHolder(sc.hadoopConfiguration()));
        List<SkippedFile> skipped = new ArrayList<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        JavaRDD<LabeledImage> train = decode(sc, plan.train(), partitions, conf, cfg, Split.TRAIN, skipped, counts, plan.classNames().size());
        JavaRDD<LabeledImage> val = decode(sc, plan.validation(), partitions, conf, cfg, Split.VALIDATION, skipped, counts, plan.classNames().size());
        JavaRDD<LabeledImage> test = decode(sc, plan.test(), partitions, conf, cfg, Split.TEST, skipped, counts, plan.classNames().size());
        for (Split split : Split.values()) {
            long n = sum(counts.get(split.jsonName()));
            if (n == 0) {
                throw new InvalidInputException("no decodable images left in the " + split + " split of "
                        + String.join(", ", plan.sources()) + " (" + skipped.size() + " skipped)");
            }
        }
        int channels = cfg.shape().channels();
        ChannelStats stats = train.aggregate(new ChannelStats(channels), ChannelStats::add, ChannelStats::merge);
        var scaling = stats.toScaling(cfg.scaling());
        LOG.info("Dataset: {} classes, train/validation/test = {}/{}/{} images, {} skipped, {} partitions, scaling {}",
                plan.classNames().size(), sum(counts.get(Split.TRAIN.jsonName())), sum(counts.get(Split.VALIDATION.jsonName())),
                sum(counts.get(Split.TEST.jsonName())),
                skipped.size(), partitions, scaling);
        return new PreparedData(plan.classNames(), cfg.shape(), train, val, test, partitions, counts,
                List.copyOf(skipped), plan.sources(), plan.fingerprint(), scaling);
    }

    private static long sum(long[] a) {
        return java.util.Arrays.stream(a).sum();
    }

    /**
     * The refs decoded on the executors, one outcome per ref in ref order: the image, or the reason it
     * could not be decoded. Only the refs (URIs, IDX record numbers) travel from the driver, once per
     * executor as a broadcast; each task carries only its slice number.
     */
    public static JavaRDD<DecodeOutcome> decodeOutcomes(JavaSparkContext sc, List<SampleRef> refs, int partitions,
                                                        Broadcast<HadoopConfHolder> conf, ImageShape shape) {
        return decodeOutcomes(sc, refs, partitions, conf, shape, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** As above; an image declaring more than {@code maxImagePixels} pixels is skipped without being decoded. */
    public static JavaRDD<DecodeOutcome> decodeOutcomes(JavaSparkContext sc, List<SampleRef> refs, int partitions,
                                                        Broadcast<HadoopConfHolder> conf, ImageShape shape,
                                                        long maxImagePixels) {
        int slices = Math.max(1, Math.min(partitions, refs.size()));
        return refSlices(sc, refs, slices).mapPartitions(new DecodePartition(conf, shape, maxImagePixels));
    }

    /** The refs spread over {@code slices} partitions in order, without the refs inside the tasks. */
    static JavaRDD<SampleRef> refSlices(JavaSparkContext sc, List<SampleRef> refs, int slices) {
        Broadcast<SampleRef[]> all = sc.broadcast(refs.toArray(new SampleRef[0]));
        return sc.parallelize(IntStream.range(0, slices).boxed().toList(), slices)
                .mapPartitions(new RefSlices(all, slices));
    }

    private static JavaRDD<LabeledImage> decode(JavaSparkContext sc, List<SampleRef> refs, int partitions,
                                                Broadcast<HadoopConfHolder> conf, DataConfig cfg, Split split,
                                                List<SkippedFile> skipped, Map<String, long[]> counts, int numClasses) {
        JavaRDD<DecodeOutcome> outcomes = decodeOutcomes(sc, refs, partitions, conf, cfg.shape(), cfg.maxImagePixels())
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        outcomes.setName(split + " decode outcomes");
        List<DecodeOutcome> failures = outcomes.filter(o -> !o.isOk()).collect();
        for (DecodeOutcome f : failures) {
            skipped.add(new SkippedFile(f.skippedId(), split.jsonName(), f.reason()));
            LOG.warn("Skipped {} image {}: {}", split, f.skippedId(), f.reason());
        }
        JavaRDD<LabeledImage> images = outcomes.filter(DecodeOutcome::isOk).map(DecodeOutcome::image)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        // Checkpoint once decoded: an executor lost mid-training would otherwise force a re-decode (and a
        // re-read of every image) inside one of the ~100 averaging rounds of an epoch. Reads come from the
        // cache; the checkpoint files only serve partitions whose executor died.
        images.rdd().checkpoint();
        images.setName(split + " images");
        long[] perClass = images.map(LabeledImage::label).countByValue().entrySet().stream()
                .collect(() -> new long[numClasses], (a, e) -> a[e.getKey()] = e.getValue(), (a, b) -> {
                    for (int i = 0; i < a.length; i++) {
                        a[i] += b[i];
                    }
                });
        counts.put(split.jsonName(), perClass);
        outcomes.unpersist(false);
        return images;
    }
}
