package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.LrScheduleConfig;

/**
 * The learning rate of each epoch (1-based) under {@code model.lr-schedule}, as PyTorch's schedulers give it
 * when {@code scheduler.step()} is called once after every epoch: epoch e trains with the scheduler's value
 * after e - 1 steps. Pure arithmetic, so each formula is tested against documented values; the table is in
 * docs/config.md.
 * <ul>
 *   <li>constant: lr</li>
 *   <li>step: lr * factor^floor((e - 1) / step-epochs) (StepLR(step_size, gamma))</li>
 *   <li>exponential: lr * factor^(e - 1) (ExponentialLR(gamma))</li>
 *   <li>cosine: lr * e / w for e &lt;= w (linear warm-up over w = warmup-epochs), then CosineAnnealingLR with
 *       T_max = max-epochs - w and eta_min = min-lr: min + (lr - min) * (1 + cos(pi * t / T_max)) / 2 with
 *       t = e - w - 1</li>
 *   <li>one-cycle: OneCycleLR(max_lr = lr, total_steps = max-epochs, pct_start = warmup-fraction,
 *       div_factor, final_div_factor, anneal_strategy = 'cos', three_phase = False) at step t = e - 1</li>
 * </ul>
 */
public final class LearningRateSchedule {
    private final LrScheduleConfig config;
    private final double lr;
    private final int maxEpochs;

    public LearningRateSchedule(LrScheduleConfig config, double learningRate, int maxEpochs) {
        this.config = config;
        this.lr = learningRate;
        this.maxEpochs = maxEpochs;
    }

    /** The rate {@code learningRate} throughout. */
    public static LearningRateSchedule constant(double learningRate) {
        return new LearningRateSchedule(LrScheduleConfig.constant(), learningRate, 1);
    }

    public LrScheduleConfig.Type type() {
        return config.type();
    }

    /** The configured (base) learning rate: model.learning-rate. */
    public double base() {
        return lr;
    }

    /** The learning rate of epoch {@code epoch} (1-based). */
    public double at(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs count from 1, got " + epoch);
        }
        return switch (config.type()) {
            case CONSTANT -> lr;
            case STEP -> lr * Math.pow(config.factor(), (epoch - 1) / config.stepEpochs());
            case EXPONENTIAL -> lr * Math.pow(config.factor(), epoch - 1);
            case COSINE -> cosine(epoch);
            case ONE_CYCLE -> oneCycle(epoch - 1);
        };
    }

    private double cosine(int epoch) {
        int w = config.warmupEpochs();
        if (epoch <= w) {
            return lr * epoch / w;
        }
        int tMax = maxEpochs - w;
        int t = epoch - w - 1;
        if (tMax <= 0) {
            return lr; // epochs past max-epochs (none are trained): stay at the rate warm-up reached
        }
        double min = config.minLr();
        return min + (lr - min) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }

    /** PyTorch's OneCycleLR.get_lr at step {@code step} (0-based), two phases, cosine annealing. */
    private double oneCycle(int step) {
        double initial = lr / config.divFactor();
        double last = initial / config.finalDivFactor();
        double warmupEnd = config.warmupFraction() * maxEpochs - 1; // PyTorch: float(pct_start * total_steps) - 1
        double end = maxEpochs - 1;
        if (step <= warmupEnd) {
            return anneal(initial, lr, fraction(step, 0, warmupEnd));
        }
        return anneal(lr, last, fraction(step, warmupEnd, end));
    }

    /**
     * How far {@code step} is into the phase [start, end]. PyTorch divides by zero for a phase of no length
     * (pct_start * total_steps = 1, or a single epoch); here such a phase is complete.
     */
    private static double fraction(double step, double start, double end) {
        return end == start ? 1.0 : (step - start) / (end - start);
    }

    /** PyTorch's _annealing_cos: from {@code start} at pct 0 to {@code end} at pct 1 along half a cosine. */
    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }
}
