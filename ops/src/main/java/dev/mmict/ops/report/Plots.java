package dev.mmict.ops.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of a run (XChart, drawn off-screen): loss curves and bar charts of evaluation
 * metrics. Only the rendering lives here; what to plot is {@link RunPlots}' business.
 */
public final class Plots {
  static final int WIDTH = 900;
  static final int HEIGHT = 540;
  /** Steps the smoothed loss averages over. */
  static final int SMOOTHING = 10;

  static {
    // Charts are drawn into images: no display is needed, and none exists on servers and in CI.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Plots() { }

  /**
   * Plots the loss per step, and its running mean over {@value #SMOOTHING} steps when the run is
   * longer than that.
   */
  public static void lossCurve(Path png, String title, LossCurve curve) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("step").yAxisTitle("training loss").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    double[] loss = curve.losses();
    if (loss.length == 0) {
      throw new IllegalArgumentException("no losses to plot for " + curve.name());
    }
    double[] steps = new double[loss.length];
    for (int i = 0; i < loss.length; i++) {
      steps[i] = curve.firstStep() + i;
    }
    chart.addSeries("loss", steps, finite(loss)).setMarker(SeriesMarkers.NONE);
    if (loss.length > SMOOTHING) {
      chart.addSeries("mean of " + SMOOTHING + " steps", steps, finite(runningMean(loss, SMOOTHING)))
          .setMarker(SeriesMarkers.NONE);
    }
    save(chart, png);
  }

  /**
   * A grouped bar chart: one group per category, one bar per series.
   *
   * @param series series name to one value per category (NaN or missing: drawn as 0)
   */
  public static void bars(Path png, String title, String yTitle, List<String> categories,
      Map<String, List<Double>> series) throws IOException {
    if (categories.isEmpty() || series.isEmpty()) {
      throw new IllegalArgumentException("nothing to plot for " + title);
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("").yAxisTitle(yTitle).build();
    CategoryStyler styler = chart.getStyler();
    styler.setOverlapped(false);
    styler.setLabelsVisible(true);
    styler.setDecimalPattern("0.000"); // bar labels: three decimals, as in the result table
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      List<Double> values = new ArrayList<>();
      for (int i = 0; i < categories.size(); i++) {
        Double v = i < e.getValue().size() ? e.getValue().get(i) : null;
        values.add(v == null || !Double.isFinite(v) ? 0.0 : v);
      }
      chart.addSeries(e.getKey(), categories, values);
    }
    save(chart, png);
  }

  /**
   * Lines with a marker at each point, one per series (e.g. a sweep's objective against steps for
   * every trial). Non-finite values are drawn at 0, as in {@link #lossCurve}.
   *
   * @param series series name to its points as {@code {x, y}} pairs, in x order; empty series are left out
   */
  public static void lines(Path png, String title, String xTitle, String yTitle, Map<String, List<double[]>> series)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    int drawn = 0;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      double[] x = new double[e.getValue().size()];
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = e.getValue().get(i)[0];
        y[i] = e.getValue().get(i)[1];
      }
      chart.addSeries(e.getKey(), x, finite(y));
      drawn++;
    }
    if (drawn == 0) {
      throw new IllegalArgumentException("no points to plot for " + title);
    }
    save(chart, png);
  }

  /** Mean of each value and up to {@code window - 1} before it. */
  static double[] runningMean(double[] values, int window) {
    double[] out = new double[values.length];
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      sum += values[i];
      if (i >= window) {
        sum -= values[i - window];
      }
      out[i] = sum / Math.min(i + 1, window);
    }
    return out;
  }

  /** XChart cannot scale an axis around NaN or infinity: such points (a diverged step) are drawn at 0. */
  private static double[] finite(double[] values) {
    double[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i])) {
        out[i] = 0;
      }
    }
    return out;
  }

  private static void save(org.knowm.xchart.internal.chartpart.IChart chart, Path png) throws IOException {
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (var out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
