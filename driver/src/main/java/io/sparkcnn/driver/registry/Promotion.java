package io.sparkcnn.driver.registry;

import io.sparkcnn.driver.config.RegistryConfig;

import java.util.Locale;

/**
 * Whether a challenger replaces the champion, with the reason in words. Both are scored on the same
 * holdout. The challenger must reach the floor; with a champion it must also beat it by at least
 * {@code minImprovement} in the metric's direction.
 */
public record Promotion(boolean promote, String reason) {

    /** Rounding noise in scores is not a difference (a tie with min-improvement 0 promotes). */
    private static final double EPS = 1e-9;

    /**
     * @param champion the champion's holdout score, NaN when there is no champion
     * @param championRun the champion's run id (for the reason), ignored without one
     */
    public static Promotion decide(RegistryConfig.Metric metric, double minImprovement, double floor, double challenger,
                                   double champion, String championRun) {
        String name = metric.configName();
        boolean passesFloor = metric.higherIsBetter() ? challenger >= floor - EPS : challenger <= floor + EPS;
        if (!passesFloor) {
            return new Promotion(false, String.format(Locale.ROOT, "challenger %s %.4f on the holdout %s the floor %.4f"
                    + " (registry.floor)", name, challenger, metric.higherIsBetter() ? "is below" : "is above", floor));
        }
        if (Double.isNaN(champion)) {
            return new Promotion(true, String.format(Locale.ROOT, "no champion yet; challenger %s %.4f on the holdout"
                    + " reaches the floor %.4f", name, challenger, floor));
        }
        double gain = metric.gain(challenger, champion);
        String versus = String.format(Locale.ROOT, "challenger %s %.4f vs champion %s %.4f on the holdout: %s %.4f",
                name, challenger, championRun, champion, gain >= 0 ? "better by" : "worse by", Math.abs(gain));
        if (gain >= minImprovement - EPS) {
            return new Promotion(true, versus + String.format(Locale.ROOT, ", at least the %.4f required"
                    + " (registry.min-improvement)", minImprovement));
        }
        return new Promotion(false, versus + String.format(Locale.ROOT, "; promotion needs better by at least %.4f"
                + " (registry.min-improvement)", minImprovement));
    }
}
