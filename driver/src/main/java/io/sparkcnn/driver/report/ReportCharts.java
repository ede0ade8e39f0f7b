package io.sparkcnn.driver.report;

import io.sparkcnn.driver.train.EpochRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The report's plots, drawn by XChart and encoded as PNG bytes (inlined into report.html). */
public final class ReportCharts {
    private static final Color BEST = new Color(0x2e7d32);
    private static final Color STOP = new Color(0xc62828);

    private ReportCharts() {
    }

    /** Training and validation loss per epoch, with the best epoch and the stopping point marked. */
    public static byte[] lossCurves(List<EpochRecord> history, int bestEpoch, int stoppedEpoch) throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(400).title("Loss per epoch").xAxisTitle("epoch")
                .yAxisTitle("cross-entropy").build();
        style(chart);
        List<Double> epochs = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        for (EpochRecord r : history) {
            epochs.add((double) r.epoch());
            loss.add(r.loss());
            valLoss.add(r.valLoss());
        }
        chart.addSeries("training loss", epochs, loss);
        chart.addSeries("validation loss", epochs, valLoss);
        double[] range = range(loss, valLoss);
        markEpochs(chart, bestEpoch, stoppedEpoch, range[0], range[1]);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Validation accuracy per epoch, with the best epoch and the stopping point marked. */
    public static byte[] accuracyCurve(List<EpochRecord> history, int bestEpoch, int stoppedEpoch) throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(400).title("Validation accuracy per epoch")
                .xAxisTitle("epoch").yAxisTitle("accuracy").build();
        style(chart);
        List<Double> epochs = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        for (EpochRecord r : history) {
            epochs.add((double) r.epoch());
            acc.add(r.valAccuracy());
        }
        chart.addSeries("validation accuracy", epochs, acc);
        double[] range = range(acc);
        markEpochs(chart, bestEpoch, stoppedEpoch, range[0], range[1]);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * The learning rate of each epoch on a logarithmic axis (a schedule spans decades), with the best epoch and
     * the stopping point marked; epochs whose rate is unknown are left out.
     */
    public static byte[] learningRateCurve(List<EpochRecord> history, int bestEpoch, int stoppedEpoch)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(400).title("Learning rate per epoch")
                .xAxisTitle("epoch").yAxisTitle("learning rate (log scale)").build();
        style(chart);
        chart.getStyler().setYAxisLogarithmic(true);
        // a schedule fills every corner of the plot: the legend goes below it
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisDecimalPattern("0.0E0");
        List<Double> epochs = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (EpochRecord r : history) {
            if (Double.isFinite(r.learningRate()) && r.learningRate() > 0) {
                epochs.add((double) r.epoch());
                rates.add(r.learningRate());
            }
        }
        chart.addSeries("learning rate", epochs, rates);
        double[] range = range(rates);
        markEpochs(chart, bestEpoch, stoppedEpoch, range[0], range[1]);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** True when the history has two or more different known learning rates: a chart of them says something. */
    public static boolean ratesVary(List<EpochRecord> history) {
        return history.stream().mapToDouble(EpochRecord::learningRate).filter(Double::isFinite).distinct().count() > 1;
    }

    /** The confusion matrix as a heat map of row-normalised percentages (each true class sums to 100). */
    public static byte[] confusionHeatMap(long[][] confusion, List<String> classNames) throws IOException {
        int n = classNames.size();
        int size = Math.max(480, Math.min(1100, 160 + 64 * n));
        HeatMapChart chart = new HeatMapChartBuilder().width(size).height(size)
                .title("Confusion matrix (% of each true class)").xAxisTitle("predicted").yAxisTitle("true").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xf7fbff), new Color(0x6baed6), new Color(0x08306b)});
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(100);
        chart.getStyler().setAxisTickLabelsFont(chart.getStyler().getAxisTickLabelsFont().deriveFont(11f));
        chart.getStyler().setXAxisLabelRotation(45);
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            long row = 0;
            for (int p = 0; p < n; p++) {
                row += confusion[t][p];
            }
            for (int p = 0; p < n; p++) {
                double pct = row == 0 ? 0 : Math.round(1000.0 * confusion[t][p] / row) / 10.0;
                // y runs bottom-up in XChart: put the first class on top, as in a printed matrix
                cells.add(new Number[] {p, n - 1 - t, pct});
            }
        }
        List<String> reversed = new ArrayList<>(classNames);
        java.util.Collections.reverse(reversed);
        chart.addSeries("confusion", classNames, reversed, cells);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
        chart.getStyler().setMarkerSize(6);
    }

    private static void markEpochs(XYChart chart, int bestEpoch, int stoppedEpoch, double low, double high) {
        if (bestEpoch > 0) {
            XYSeries s = chart.addSeries("best epoch " + bestEpoch, new double[] {bestEpoch, bestEpoch},
                    new double[] {low, high});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(BEST).setLineStyle(new BasicStroke(2f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        if (stoppedEpoch > 0 && stoppedEpoch != bestEpoch) {
            XYSeries s = chart.addSeries("stopped after epoch " + stoppedEpoch, new double[] {stoppedEpoch, stoppedEpoch},
                    new double[] {low, high});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(STOP).setLineStyle(new BasicStroke(2f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f));
        }
    }

    /** Lowest and highest finite value of the series, for the marker lines; [0, 1] when there is none. */
    @SafeVarargs
    private static double[] range(List<Double>... series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<Double> l : series) {
            for (double v : l) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return Double.isFinite(lo) ? new double[] {lo, hi} : new double[] {0, 1};
    }
}
