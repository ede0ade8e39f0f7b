package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The bench's learning curves: test accuracy against training minutes, one line per mode (XChart, PNG). */
final class BenchCharts {
    private BenchCharts() {
    }

    /** Writes the chart to {@code png} and returns true, or false when no mode has epochs to draw. */
    static boolean accuracyOverTime(List<JsonNode> results, List<Double> targets, File png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(450).title("Test accuracy over training time")
                .xAxisTitle("training minutes (fit time, cumulative)").yAxisTitle("test accuracy").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
        chart.getStyler().setMarkerSize(6);
        double longest = 0;
        for (JsonNode r : results) {
            List<Double> minutes = new ArrayList<>();
            List<Double> accuracy = new ArrayList<>();
            double cumulative = 0;
            for (JsonNode e : r.path("epochs")) {
                cumulative += e.path("train_seconds").asDouble();
                minutes.add(cumulative / 60);
                accuracy.add(e.path("test_accuracy").asDouble());
            }
            if (!minutes.isEmpty()) {
                chart.addSeries(r.path("name").asText(), minutes, accuracy);
                longest = Math.max(longest, cumulative / 60);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return false;
        }
        for (double t : targets) {
            chart.addSeries(String.format(java.util.Locale.ROOT, "target %.2f", t), new double[] {0, longest},
                    new double[] {t, t}).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE)
                    .setLineColor(new Color(0x9e9e9e));
        }
        BitmapEncoder.saveBitmap(chart, png.getPath(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }
}
