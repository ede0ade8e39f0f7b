package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.model.Optimizer;

import java.io.Serializable;
import java.util.Locale;

/**
 * {@code model.lr-schedule.*}: how the learning rate changes from epoch to epoch, with PyTorch's schedulers'
 * meanings (stepped once per epoch). The formulas are in {@code LearningRateSchedule} and docs/config.md.
 * Every key is read whatever the type; a key of another type is simply not used, except
 * {@code warmup-epochs}, which only {@code cosine} has: set with another type it is refused, so that nobody
 * believes that schedule warms up.
 */
public record LrScheduleConfig(Type type, int stepEpochs, double factor, int warmupEpochs, double minLr,
                               double warmupFraction, double divFactor, double finalDivFactor) implements Serializable {

    public enum Type {
        CONSTANT, STEP, EXPONENTIAL, COSINE, ONE_CYCLE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The rate stays model.learning-rate: what every run did before schedules existed. */
    public static LrScheduleConfig constant() {
        return new LrScheduleConfig(Type.CONSTANT, 10, 0.1, 0, 0, 0.3, 25, 1e4);
    }

    static LrScheduleConfig from(ConfigReader r) {
        Type type = r.choice("model.lr-schedule.type", Type.values(), Type::configName);
        int stepEpochs = r.intAtLeast("model.lr-schedule.step-epochs", 1);
        double factor = r.positive("model.lr-schedule.factor");
        if (factor > 1) {
            throw new InvalidInputException("model.lr-schedule.factor must be in (0, 1] (the rate is multiplied by it),"
                    + " got " + factor);
        }
        int warmupEpochs = r.intAtLeast("model.lr-schedule.warmup-epochs", 0);
        double minLr = r.nonNegative("model.lr-schedule.min-lr");
        double warmupFraction = r.number("model.lr-schedule.warmup-fraction");
        if (warmupFraction <= 0 || warmupFraction >= 1) {
            throw new InvalidInputException("model.lr-schedule.warmup-fraction must be in (0, 1) (PyTorch's pct_start),"
                    + " got " + warmupFraction);
        }
        double divFactor = r.number("model.lr-schedule.div-factor");
        if (divFactor < 1) {
            throw new InvalidInputException("model.lr-schedule.div-factor must be 1 or more (one-cycle starts at"
                    + " model.learning-rate / div-factor), got " + divFactor);
        }
        double finalDivFactor = r.number("model.lr-schedule.final-div-factor");
        if (finalDivFactor < 1) {
            throw new InvalidInputException("model.lr-schedule.final-div-factor must be 1 or more (one-cycle ends at"
                    + " the initial rate / final-div-factor), got " + finalDivFactor);
        }
        if (warmupEpochs > 0 && type != Type.COSINE) {
            throw new InvalidInputException("model.lr-schedule.warmup-epochs = " + warmupEpochs + " applies to"
                    + " model.lr-schedule.type = cosine only (type is " + type.configName() + "); one-cycle warms up"
                    + " over model.lr-schedule.warmup-fraction");
        }
        return new LrScheduleConfig(type, stepEpochs, factor, warmupEpochs, minLr, warmupFraction, divFactor,
                finalDivFactor);
    }

    /**
     * The checks that need another section: a schedule or ReduceLROnPlateau needs an optimizer with a learning
     * rate, warm-up fits in the epochs, and cosine does not anneal upwards.
     */
    static void checkWith(ModelConfig model, TrainingConfig training) {
        LrScheduleConfig s = model.lrSchedule();
        String optimizer = model.spec().optimizer().configName();
        boolean noRate = model.spec().optimizer() == Optimizer.ADADELTA;
        if (noRate && s.type() != Type.CONSTANT) {
            throw new InvalidInputException("model.lr-schedule.type = " + s.type().configName() + " needs an optimizer"
                    + " with a learning rate; model.optimizer = " + optimizer + " adapts its own");
        }
        if (noRate && training.reduceLrOnPlateau().enabled()) {
            throw new InvalidInputException("training.reduce-lr-on-plateau.enabled = true needs an optimizer with a"
                    + " learning rate; model.optimizer = " + optimizer + " adapts its own");
        }
        if (s.type() == Type.COSINE && s.warmupEpochs() > training.maxEpochs()) {
            throw new InvalidInputException("model.lr-schedule.warmup-epochs = " + s.warmupEpochs()
                    + " is more than training.max-epochs = " + training.maxEpochs());
        }
        if (s.type() == Type.COSINE && s.minLr() > model.spec().learningRate()) {
            throw new InvalidInputException("model.lr-schedule.min-lr = " + s.minLr() + " is above model.learning-rate = "
                    + model.spec().learningRate() + "; cosine anneals from the learning rate down to min-lr");
        }
    }
}
