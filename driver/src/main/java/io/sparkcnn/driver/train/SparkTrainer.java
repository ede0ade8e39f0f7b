package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.EarlyStoppingConfig;
import io.sparkcnn.driver.config.LrScheduleConfig;
import io.sparkcnn.driver.config.ReduceLrOnPlateauConfig;
import io.sparkcnn.driver.config.TrainingConfig;
import io.sparkcnn.driver.data.PreparedData;
import io.sparkcnn.driver.data.Split;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.workers.TrainingBatches;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The epoch loop (ours, not DL4J's SparkEarlyStoppingTrainer, which in 1.0.0-M2 ignores the monitor's
 * direction): each epoch fits the training split with parameter averaging
 * ({@link ParameterAveragingTrainingMaster}, updater state averaged too), evaluates the validation split
 * on the executors, applies early stopping and keeps the best weights. While an epoch fits, progress lines
 * ({@code training.progress}) come from an {@link EpochProgressListener} registered for that fit only.
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    private SparkTrainer() {
    }

    /** The training master for this config; the number of workers defaults to the cluster's parallelism. */
    public static ParameterAveragingTrainingMaster trainingMaster(TrainingConfig cfg, int workers, long seed) {
        return new ParameterAveragingTrainingMaster.Builder(workers, cfg.batchSizePerWorker())
                .batchSizePerWorker(cfg.batchSizePerWorker())
                .averagingFrequency(cfg.averagingFrequency())
                .workerPrefetchNumBatches(cfg.prefetch())
                // DL4J's default (false) resets Adam/momentum state on every worker each averaging round
                .saveUpdater(true)
                // our partitions are already balanced and pre-batched; a repartition would only shuffle bytes
                .repartionData(Repartition.Never)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .rngSeed(seed)
                .collectTrainingStats(false)
                // the workers' networks are built inside DL4J Spark: this gives their batch norm our faster helper
                .trainingHooks(new BatchStatsHook())
                .build();
    }

    public static int workers(JavaSparkContext sc, TrainingConfig cfg) {
        return cfg.workers() > 0 ? cfg.workers() : sc.defaultParallelism();
    }

    /**
     * Runs the epoch loop from {@code resumeFrom} (null for a new run; {@code net} then holds the checkpointed
     * weights and updater state) and calls {@code checkpointer} after every epoch. Every random choice of
     * epoch e (partition order, DL4J's averaging splits) is seeded from (seed, e) alone, so a resumed run
     * repeats what the uninterrupted run would have done. {@code training}'s augmentation and label smoothing
     * apply to the training minibatches only, drawn from (seed, epoch, partition) as the shuffle is.
     */
    public static TrainingOutcome train(JavaSparkContext sc, TrainingConfig cfg, long seed, PreparedData data,
                                        TrainingBatches training, MultiLayerNetwork net, TrainingState resumeFrom,
                                        EpochCheckpointer checkpointer)
            throws IOException {
        return train(sc, cfg, seed, data, training, net, resumeFrom, checkpointer, null, LOG::info);
    }

    /**
     * As above, with the learning rate of each epoch set on {@code net} before the epoch's training master is
     * built: max(min_lr, schedule(e) * ReduceLROnPlateau's multiplier). The workers build their networks from
     * the driver's configuration each epoch, so the rate reaches them with it; the updater state (Adam's
     * moments, momentum) is kept. A null schedule keeps the network's own rate.
     */
    public static TrainingOutcome train(JavaSparkContext sc, TrainingConfig cfg, long seed, PreparedData data,
                                        TrainingBatches training, MultiLayerNetwork net, TrainingState resumeFrom,
                                        EpochCheckpointer checkpointer, LearningRateSchedule schedule) throws IOException {
        return train(sc, cfg, seed, data, training, net, resumeFrom, checkpointer, schedule, LOG::info);
    }

    /** {@link #train} with the in-epoch progress lines going to {@code progressSink} (tests read them). */
    static TrainingOutcome train(JavaSparkContext sc, TrainingConfig cfg, long seed, PreparedData data,
                                 TrainingBatches training, MultiLayerNetwork net, TrainingState resumeFrom,
                                 EpochCheckpointer checkpointer, LearningRateSchedule schedule,
                                 Consumer<String> progressSink) throws IOException {
        if (schedule == null) {
            schedule = LearningRateSchedule.constant(learningRate(net));
        }
        int workers = workers(sc, cfg);
        DoubleAccumulator lossSum = sc.sc().doubleAccumulator("train loss sum");
        LongAccumulator lossCount = sc.sc().longAccumulator("train minibatches");
        CollectionAccumulator<Map<String, Object>> helperReports = sc.sc().collectionAccumulator("layer helpers");
        LongAccumulator imagesFitted = sc.sc().longAccumulator("train images");
        List<Map<String, Object>> executorHelpers = new ArrayList<>();

        EarlyStoppingConfig esConfig = cfg.earlyStopping();
        EarlyStopping stopping = new EarlyStopping(esConfig);
        ReduceLrOnPlateau plateau = new ReduceLrOnPlateau(cfg.reduceLrOnPlateau());
        List<EpochRecord> history = new ArrayList<>();
        INDArray bestParams = null;
        INDArray bestUpdater = null;
        TrainingOutcome.StopReason reason = null;
        int epoch = 0;
        if (resumeFrom != null) {
            epoch = resumeFrom.epoch();
            history.addAll(resumeFrom.history());
            stopping.restore(resumeFrom.stopping());
            plateau.restore(resumeFrom.plateau());
            bestParams = resumeFrom.bestParams();
            bestUpdater = resumeFrom.bestUpdater();
            reason = resumeFrom.stopReason();
        }
        long trainImages = data.count(Split.TRAIN);
        long loopStart = System.nanoTime();
        LOG.info("Training: {} workers with {} ND4J thread(s) each, batch {} per worker, averaging every {} minibatches,"
                        + " up to {} epochs, early stopping on {} (min_delta {}, patience {})", workers,
                cfg.threadsPerWorker() > 0 ? cfg.threadsPerWorker()
                        : sc.getConf().getInt("spark.task.cpus", 1) + " (spark.task.cpus)", cfg.batchSizePerWorker(),
                cfg.averagingFrequency(), cfg.maxEpochs(), esConfig.monitor().configName(), esConfig.minDelta(),
                esConfig.patience());
        if (!training.isNone()) {
            LOG.info("Training minibatches: {}", training.describe());
        }
        logLearningRates(schedule, plateau.config());
        while (reason == null && epoch < cfg.maxEpochs()) {
            epoch++;
            long start = System.nanoTime();
            setLearningRate(net, plateau.apply(schedule.at(epoch)));
            double lr = learningRate(net); // NaN for an optimizer without one (AdaDelta)
            lossSum.reset();
            lossCount.reset();
            imagesFitted.reset();
            // a new training master per epoch: its split RNG then depends on the epoch, not on the epochs before
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net,
                    trainingMaster(cfg, workers, seed * 1_000_003L + epoch));
            sparkNet.setListeners(List.of(new ScoreListener(lossSum, lossCount, helperReports, imagesFitted)));
            JavaRDD<DataSet> epochBatches = batches(data, data.train(), cfg.batchSizePerWorker(), seed + epoch,
                    cfg.threadsPerWorker(), training)
                    .persist(StorageLevel.MEMORY_ONLY());
            EpochProgressListener progress = cfg.progress() ? new EpochProgressListener(
                    new EpochProgress(epoch, cfg.maxEpochs(), trainImages, start, cfg.progressInterval().toNanos()),
                    imagesFitted, lossSum, lossCount, System::nanoTime, progressSink) : null;
            if (progress != null) {
                sc.sc().addSparkListener(progress);
            }
            try {
                sparkNet.fit(epochBatches);
            } finally {
                if (progress != null) {
                    progress.close(); // before the epoch line: no progress line may follow it
                    sc.sc().removeSparkListener(progress);
                }
            }
            epochBatches.unpersist(false);
            double fitSeconds = (System.nanoTime() - start) / 1e9;
            logNewHelperReports(helperReports, executorHelpers);
            double trainLoss = lossCount.value() > 0 ? lossSum.value() / lossCount.value() : sparkNet.getScore();
            // Keras' TerminateOnNaN: a diverged network only gets worse; stop before it is validated or checkpointed
            if (!Double.isFinite(trainLoss) || !finite(net.params())) {
                throw TrainingDivergedException.at(epoch, trainLoss, null, net, schedule.base());
            }
            EvaluationStats val = evaluate(sc, net, data);
            double valLoss = val.meanLoss() + net.calcRegularizationScore(true);
            if (!Double.isFinite(valLoss)) {
                throw TrainingDivergedException.at(epoch, trainLoss, valLoss, net, schedule.base());
            }
            double monitored = esConfig.monitor().higherIsBetter() ? val.accuracy() : valLoss;
            boolean improved = stopping.update(epoch, monitored);
            if (improved && esConfig.restoreBestWeights()) {
                bestParams = net.params().dup();
                bestUpdater = net.getUpdater() == null || net.getUpdater().getStateViewArray() == null
                        ? null : net.getUpdater().getStateViewArray().dup();
            }
            boolean reduced = plateau.update(plateau.config().monitor().higherIsBetter() ? val.accuracy() : valLoss, lr);
            double seconds = (System.nanoTime() - start) / 1e9;
            EpochRecord record = new EpochRecord(epoch, trainLoss, valLoss, val.accuracy(), seconds,
                    trainImages / fitSeconds, trainImages, improved, lr);
            history.add(record);
            LOG.info(String.format(Locale.ROOT,
                    "Epoch %d/%d - loss: %.4f - val_loss: %.4f - val_accuracy: %.4f%s - %.1fs - %.0f images/s%s",
                    epoch, cfg.maxEpochs(), trainLoss, valLoss, val.accuracy(),
                    Double.isNaN(lr) ? "" : String.format(Locale.ROOT, " - learning_rate: %.1e", lr), seconds,
                    record.imagesPerSecond(),
                    improved ? " - best so far" : " - no improvement for " + stopping.waited() + " epoch(s)"));
            if (reduced && epoch < cfg.maxEpochs()) {
                ReduceLrOnPlateauConfig p = plateau.config();
                LOG.info(String.format(Locale.ROOT, "ReduceLROnPlateau: reducing the learning rate to %.1e (%s did not"
                                + " improve by min-delta %s for %d epoch(s))", plateau.apply(schedule.at(epoch + 1)),
                        p.monitor().configName(), plain(p.minDelta()), Math.max(1, p.patience())));
            }
            if (stopping.shouldStop()) {
                reason = TrainingOutcome.StopReason.EARLY_STOPPING;
            } else if (cfg.maxMinutes() > 0 && (System.nanoTime() - loopStart) / 60e9 >= cfg.maxMinutes()) {
                reason = TrainingOutcome.StopReason.TIME_LIMIT;
            }
            checkpointer.save(new TrainingState(epoch, history, stopping.state(), reason, bestParams, bestUpdater,
                    plateau.state()), net);
        }
        if (reason == null) {
            reason = TrainingOutcome.StopReason.MAX_EPOCHS;
        }
        double trainSeconds = (System.nanoTime() - loopStart) / 1e9;
        boolean restored = false;
        if (esConfig.restoreBestWeights() && bestParams != null && stopping.bestEpoch() != epoch) {
            net.setParams(bestParams);
            if (bestUpdater != null) {
                net.getUpdater().getStateViewArray().assign(bestUpdater);
            }
            restored = true;
            LOG.info("Restored the weights of epoch {} ({} = {})", stopping.bestEpoch(), esConfig.monitor().configName(),
                    String.format(Locale.ROOT, "%.4f", stopping.best()));
        }
        LOG.info("Stopped after epoch {}: {}", epoch, reason.jsonName());
        return new TrainingOutcome(List.copyOf(history), stopping.bestEpoch(), stopping.best(),
                esConfig.monitor().configName(), reason, epoch, restored, trainSeconds, workers,
                List.copyOf(executorHelpers));
    }

    /** The learning rate of the network's updaters, or NaN when they have none (AdaDelta). */
    public static double learningRate(MultiLayerNetwork net) {
        for (NeuralNetConfiguration conf : net.getLayerWiseConfigurations().getConfs()) {
            if (conf.getLayer() instanceof BaseLayer layer && layer.getIUpdater() != null
                    && layer.getIUpdater().hasLearningRate()) {
                return layer.getIUpdater().getLearningRate(net.getIterationCount(), net.getEpochCount());
            }
        }
        return Double.NaN;
    }

    /**
     * Sets {@code lr} on every layer's updater (DL4J's NetworkUtils.setLearningRate: the configuration, which the
     * workers receive, and a rebuilt updater whose state is copied over), unless it is the rate already set or
     * the optimizer has none. A run whose rate never changes is thus never touched.
     */
    static void setLearningRate(MultiLayerNetwork net, double lr) {
        double current = learningRate(net);
        if (!Double.isNaN(current) && !Double.isNaN(lr) && current != lr) {
            net.setLearningRate(lr);
        }
    }

    private static void logLearningRates(LearningRateSchedule schedule, ReduceLrOnPlateauConfig plateau) {
        if (schedule.type() != LrScheduleConfig.Type.CONSTANT) {
            LOG.info(String.format(Locale.ROOT, "Learning-rate schedule: %s from model.learning-rate %.1e",
                    schedule.type().configName(), schedule.base()));
        }
        if (plateau.enabled()) {
            LOG.info("ReduceLROnPlateau on {}: factor {}, patience {}, min_delta {}, min_lr {}, cooldown {}",
                    plateau.monitor().configName(), plain(plateau.factor()), plateau.patience(),
                    plain(plateau.minDelta()), plain(plateau.minLr()), plateau.cooldown());
        }
    }

    /** 0.0001 rather than 1.0E-4. */
    private static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** True when every value is a number (no NaN, no infinity); one reduction over the array. */
    public static boolean finite(INDArray values) {
        return values == null || Double.isFinite(values.sumNumber().doubleValue());
    }

    /** Logs the layer helpers of executors that reported for the first time (each does once per run). */
    private static void logNewHelperReports(CollectionAccumulator<Map<String, Object>> reports,
                                            List<Map<String, Object>> seen) {
        for (Map<String, Object> r : reports.value()) {
            if (!seen.contains(r)) {
                seen.add(r);
                String layers = ((Map<?, ?>) r.get("layers")).entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
                LOG.info("Layer helpers on executor {} ({}, pid {}): {} ({})", r.get("executor"), r.get("host"),
                        r.get("pid"), layers, r.get("jvm"));
            }
        }
    }

    static JavaRDD<DataSet> batches(PreparedData data, JavaRDD<io.sparkcnn.workers.LabeledImage> images, int batchSize,
                                    Long shuffleSeed, int threadsPerWorker, TrainingBatches training) {
        return images.mapPartitionsWithIndex(new BatchPartition(batchSize, data.shape(), data.numClasses(), data.scaling(),
                shuffleSeed, threadsPerWorker, training), true);
    }

    /** Loss and accuracy of {@code net} on the validation split, computed on the executors. */
    static EvaluationStats evaluate(JavaSparkContext sc, MultiLayerNetwork net, PreparedData data) {
        return Evaluation.on(sc, net, data.validation(), data.shape(), data.numClasses(), data.scaling(), 0);
    }
}
