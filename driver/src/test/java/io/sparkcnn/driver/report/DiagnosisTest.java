package io.sparkcnn.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkcnn.driver.train.EpochRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagnosisTest {
    private static Diagnosis.Split split(double acc, double loss) {
        return new Diagnosis.Split(acc, loss);
    }

    @Test
    void trainFarAboveValidationIsOverfitting() {
        Diagnosis d = Diagnosis.of(split(0.99, 0.03), split(0.88, 0.45), split(0.87, 0.47), 10);
        assertEquals(Diagnosis.Verdict.OVERFITTING, d.verdict());
        assertTrue(d.text().contains("99.00%") && d.text().contains("88.00%") && d.text().contains("11.0 points"), d.text());
    }

    @Test
    void lowEverywhereIsUnderfitting() {
        Diagnosis d = Diagnosis.of(split(0.55, 1.3), split(0.54, 1.32), split(0.53, 1.35), 10);
        assertEquals(Diagnosis.Verdict.UNDERFITTING, d.verdict());
        assertTrue(d.text().contains("55.00%") && d.text().contains("chance is 10.00%"), d.text());
    }

    @Test
    void closeAndHighIsHealthy() {
        Diagnosis d = Diagnosis.of(split(0.93, 0.19), split(0.913, 0.25), split(0.909, 0.27), 10);
        assertEquals(Diagnosis.Verdict.HEALTHY, d.verdict());
        assertTrue(d.text().contains("90.90%"), d.text());
    }

    @Test
    void aTwoClassProblemNeedsMoreThanChanceToCountAsFitted() {
        assertEquals(Diagnosis.Verdict.UNDERFITTING,
                Diagnosis.of(split(0.70, 0.6), split(0.69, 0.6), split(0.69, 0.6), 2).verdict());
    }

    @Test
    void unknownTrainingFiguresAreNotGuessed() {
        Diagnosis d = Diagnosis.of(split(Double.NaN, Double.NaN), split(Double.NaN, Double.NaN), split(0.9, 0.3), 10);
        assertEquals(Diagnosis.Verdict.NOT_ASSESSED, d.verdict());
        assertTrue(d.text().contains("test 90.00%"), d.text());
    }

    /** A run recorded from metrics.json and report.json (src/test/resources/diagnosis), diagnosed as the report does. */
    private static Diagnosis recorded(String name) throws IOException {
        JsonNode run;
        try (InputStream in = DiagnosisTest.class.getResourceAsStream("/diagnosis/" + name + ".json")) {
            run = new ObjectMapper().readTree(in);
        }
        List<EpochRecord> history = new ArrayList<>();
        for (JsonNode e : run.get("history")) {
            history.add(new EpochRecord(e.get("epoch").asInt(), e.get("loss").asDouble(), e.get("val_loss").asDouble(),
                    e.get("val_accuracy").asDouble(), 0, 0, 0, false));
        }
        int judged = run.get("restored_best_weights").asBoolean() ? run.get("best_epoch").asInt()
                : history.get(history.size() - 1).epoch();
        JsonNode splits = run.get("splits");
        return Diagnosis.of(figures(splits.get("train")), figures(splits.get("validation")), figures(splits.get("test")),
                run.get("classes").asInt(), history, judged);
    }

    private static Diagnosis.Split figures(JsonNode s) {
        return split(s.get("accuracy").asDouble(), s.get("loss").asDouble());
    }

    @Test
    void aRecordedHealthyRunIsHealthyThoughItsValidationLossIsTwiceItsTrainingLoss() throws IOException {
        // the demo: train 96.0%, validation 91.1%, losses 0.107 vs 0.288; the loss-ratio rule called this overfitting
        Diagnosis d = recorded("healthy-lenet-fashion-mnist");
        assertEquals(Diagnosis.Verdict.HEALTHY, d.verdict(), d.text());
        assertTrue(d.text().contains("After epoch 6 the validation loss rose") && d.text().contains("epoch 10's"), d.text());
    }

    @Test
    void aRecordedOverfittingRunIsOverfittingAndTheAdviceNamesKeysThatExist() throws IOException {
        Diagnosis d = recorded("overfitting-600-images");
        assertEquals(Diagnosis.Verdict.OVERFITTING, d.verdict(), d.text());
        assertTrue(d.text().contains("model.l2") && d.text().contains("type = dropout")
                && d.text().contains("training.early-stopping.patience") && d.text().contains("data.augment")
                && d.text().contains("model.weight-decay"), d.text());
        assertConfigKeysExist(d.text());
    }

    @Test
    void aRecordedCifarRunStillImprovingIsHealthyThoughTrainingIsFivePointsAhead() throws IOException {
        // conf/cifar10.conf: train 90.77%, validation 85.64% (errors 9.2% and 14.4%), validation loss lowest at the
        // end; the 5-point rule alone called it overfitting and advised stopping earlier
        Diagnosis d = recorded("healthy-vgg-cifar10");
        assertEquals(Diagnosis.Verdict.HEALTHY, d.verdict(), d.text());
        assertTrue(d.text().contains("5.1 points above") && d.text().contains("less than twice the training error"),
                d.text());
    }

    @Test
    void theSameGapWithTheValidationErrorTwiceTheTrainingErrorIsOverfitting() {
        // 5.1 points as above, but 97% vs 91.9%: validation error 8.1% is 2.7x the training error 3%
        Diagnosis d = Diagnosis.of(split(0.97, 0.1), split(0.919, 0.3), split(0.915, 0.31), 10);
        assertEquals(Diagnosis.Verdict.OVERFITTING, d.verdict(), d.text());
        assertTrue(d.text().contains("2.7x the training error"), d.text());
        assertConfigKeysExist(d.text());
    }

    @Test
    void aLowTrainingAccuracyWithAModestGapIsUnderfitting() {
        // 75% vs 65%: 10 points, but the validation error (35%) is not twice the training error (25%)
        assertEquals(Diagnosis.Verdict.UNDERFITTING,
                Diagnosis.of(split(0.75, 0.7), split(0.65, 1.0), split(0.64, 1.0), 10).verdict());
    }

    /** Every config key the advice names (data.x, model.x, training.x) is one reference.conf has. */
    private static void assertConfigKeysExist(String text) {
        Config reference = ConfigFactory.parseResources("reference.conf").getConfig("sparkcnn");
        Matcher keys = Pattern.compile("\\b(?:data|model|training)(?:\\.[a-z0-9-]+)+").matcher(text);
        int named = 0;
        while (keys.find()) {
            named++;
            assertTrue(reference.hasPath(keys.group()), "the advice names " + keys.group() + ", which reference.conf"
                    + " does not have: " + text);
        }
        assertTrue(named >= 3, "the advice names config keys: " + text);
    }

    @Test
    void aRecordedUnderfittingRunIsUnderfitting() throws IOException {
        Diagnosis d = recorded("underfitting-sgd");
        assertEquals(Diagnosis.Verdict.UNDERFITTING, d.verdict(), d.text());
        assertTrue(d.text().contains("model.learning-rate") && d.text().contains("training.max-epochs"), d.text());
    }

    @Test
    void goodHandwrittenDigitsAreNotCalledOverfitting() {
        // the case that cried wolf: 99.14% vs 97.60%, validation loss 2.8x the training loss, weights of the best epoch
        List<EpochRecord> history = List.of(epoch(1, 0.20, 0.110, 0.966), epoch(2, 0.07, 0.085, 0.973),
                epoch(3, 0.045, 0.080, 0.976), epoch(4, 0.032, 0.083, 0.975), epoch(5, 0.025, 0.086, 0.975));
        Diagnosis d = Diagnosis.of(split(0.9914, 0.029), split(0.976, 0.080), split(0.975, 0.082), 10, history, 3);
        assertEquals(Diagnosis.Verdict.HEALTHY, d.verdict(), d.text());
    }

    @Test
    void curvesThatPartAtTheJudgedWeightsAreOverfittingEvenUnderTheAbsoluteGap() {
        // no restore: the last epoch is judged, 25% above the lowest validation loss while training loss fell
        List<EpochRecord> history = List.of(epoch(1, 0.60, 0.50, 0.85), epoch(2, 0.40, 0.40, 0.88),
                epoch(3, 0.30, 0.42, 0.885), epoch(4, 0.20, 0.46, 0.88), epoch(5, 0.12, 0.50, 0.875));
        Diagnosis d = Diagnosis.of(split(0.915, 0.12), split(0.875, 0.50), split(0.87, 0.51), 10, history, 5);
        assertEquals(Diagnosis.Verdict.OVERFITTING, d.verdict(), d.text());
        assertTrue(d.text().contains("the curves part") && d.text().contains("from 0.4000 at epoch 2"), d.text());
        // the same figures with the weights of epoch 2 restored: healthy, and the text says what early stopping did
        Diagnosis restored = Diagnosis.of(split(0.915, 0.12), split(0.88, 0.40), split(0.87, 0.41), 10, history, 2);
        assertEquals(Diagnosis.Verdict.HEALTHY, restored.verdict(), restored.text());
    }

    private static EpochRecord epoch(int epoch, double loss, double valLoss, double valAccuracy) {
        return new EpochRecord(epoch, loss, valLoss, valAccuracy, 0, 0, 0, false);
    }
}
