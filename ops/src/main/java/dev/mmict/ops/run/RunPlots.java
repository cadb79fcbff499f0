package dev.mmict.ops.run;

import dev.mmict.ops.report.LossCurve;
import dev.mmict.ops.report.Plots;
import dev.mmict.worker.train.ValidationLoss;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the PNG plots of a run's report directory: its loss curve(s) and its evaluation
 * metrics; for the demo, one loss curve per (task, mode) and the main metric of every task by mode.
 */
final class RunPlots {
  /** The metric a task is judged by, first present wins: captioning, VQA, fast binding. */
  static final List<String> MAIN_METRICS = List.of("CIDEr", "vqa_accuracy", "accuracy");

  private RunPlots() { }

  /**
   * {@code loss.png} (or {@code curves/loss-<name>.png} for several loops) and {@code metrics.png}
   * (every score of every evaluation; {@code val_loss}, a loss on another scale, stays in the table).
   *
   * @return the files written
   */
  static List<Path> run(Path outDir, List<LossCurve> curves, List<ResultRow> rows) throws IOException {
    List<Path> files = new ArrayList<>(lossCurves(outDir, curves));
    Set<String> names = new LinkedHashSet<>();
    rows.forEach(r -> names.addAll(r.metrics().keySet()));
    // A loss (about 1 - 5) on the axis of scores in [0, 1] would flatten every bar: the table has it.
    names.remove(ValidationLoss.METRIC);
    if (!names.isEmpty()) {
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (ResultRow r : rows) {
        series.put(label(r), names.stream().map(n -> r.metrics().getOrDefault(n, Double.NaN)).toList());
      }
      Path png = outDir.resolve("metrics.png");
      Plots.bars(png, "evaluation metrics", "value", List.copyOf(names), series);
      files.add(png);
    }
    return files;
  }

  /**
   * One {@code curves/loss-<task>-<mode>.png} per fine-tuning run and {@code main-metric.png}:
   * the main metric of each task (category) by mode (series).
   *
   * @return the files written
   */
  static List<Path> demo(Path outDir, List<LossCurve> curves, List<ResultRow> rows) throws IOException {
    List<Path> files = new ArrayList<>();
    for (LossCurve c : curves) {
      Path png = outDir.resolve("curves").resolve("loss-" + slug(c.name()) + ".png");
      Plots.lossCurve(png, "training loss: " + c.name(), c);
      files.add(png);
    }
    List<String> tasks = rows.stream().map(ResultRow::task).distinct().toList();
    if (!tasks.isEmpty()) {
      List<String> categories = new ArrayList<>();
      for (String t : tasks) {
        categories.add(t + " (" + mainMetric(rows.stream().filter(r -> r.task().equals(t)).toList()) + ")");
      }
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (ResultRow r : rows) {
        String mode = r.mode() + (r.demos() || r.mode().equals("VanillaFT") ? "" : " (no demos)");
        List<Double> values = series.computeIfAbsent(mode, m -> new ArrayList<>(
            java.util.Collections.nCopies(tasks.size(), Double.NaN)));
        values.set(tasks.indexOf(r.task()), r.metrics().getOrDefault(mainMetric(List.of(r)), Double.NaN));
      }
      Path png = outDir.resolve("main-metric.png");
      Plots.bars(png, "main metric by task and mode", "CIDEr / VQA accuracy / accuracy", categories, series);
      files.add(png);
    }
    return files;
  }

  private static List<Path> lossCurves(Path outDir, List<LossCurve> curves) throws IOException {
    List<Path> files = new ArrayList<>();
    for (LossCurve c : curves) {
      Path png = curves.size() == 1 ? outDir.resolve("loss.png")
          : outDir.resolve("curves").resolve("loss-" + slug(c.name()) + ".png");
      Plots.lossCurve(png, "training loss: " + c.name(), c);
      files.add(png);
    }
    return files;
  }

  /** The main metric of rows of one task: the first of {@link #MAIN_METRICS} they report. */
  static String mainMetric(List<ResultRow> rows) {
    for (String m : MAIN_METRICS) {
      if (rows.stream().anyMatch(r -> r.metrics().containsKey(m))) {
        return m;
      }
    }
    return rows.stream().flatMap(r -> r.metrics().keySet().stream()).findFirst().orElse("none");
  }

  private static String label(ResultRow r) {
    return r.task() + " " + r.mode() + (r.demos() ? "" : " (no demos)");
  }

  /** A file-name-safe form of a name: lower-case letters, digits and dashes. */
  static String slug(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
  }
}
