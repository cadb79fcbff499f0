package dev.mmict.ops.run;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.MetricsConfig;
import dev.mmict.ops.http.MetricsServer;
import dev.mmict.ops.metrics.MetricsListener;
import dev.mmict.ops.metrics.RunMetrics;
import dev.mmict.ops.progress.Progress;
import dev.mmict.ops.progress.TrainingProgress;
import dev.mmict.ops.report.LossCurve;
import dev.mmict.worker.train.Evaluator;
import dev.mmict.worker.train.StepListener;
import dev.mmict.worker.train.TrainingStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one run command carries beside the work itself: its metrics and their HTTP endpoints,
 * progress display, the loss curves for the report's plots. The training and evaluation code
 * calls it at a few points (a loop starts, a step ends, an evaluation ends), so the loops stay
 * free of logging and metrics.
 */
final class RunSession implements AutoCloseable {
  private final RunMetrics metrics;
  private final MetricsServer server;
  private final Progress progress;
  private final RunObserver observer;
  private final List<LossCurve> curves = new ArrayList<>();
  private final List<PredictionFiles.Evaluation> predictions = new ArrayList<>();
  private final int evaluations;
  private Progress.Task evalTask;
  private int evaluated;

  /**
   * Starts the metrics endpoints when {@code config.enabled()}.
   *
   * @param evaluations how many evaluations the command will run (for their progress)
   * @throws CommandFailure a config error when the endpoints cannot be bound
   */
  RunSession(String runId, String node, MetricsConfig config, Progress progress, RunObserver observer,
      int evaluations) {
    this.metrics = new RunMetrics(runId, node);
    this.progress = Objects.requireNonNull(progress, "progress");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.evaluations = evaluations;
    MetricsServer started = null;
    if (config.enabled()) {
      try {
        started = MetricsServer.start(config.host(), config.port(), metrics);
      } catch (IOException | RuntimeException e) {
        throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot serve metrics on " + config.host() + ":"
            + config.port() + " (metrics.host, metrics.port): " + e.getMessage()
            + "; choose another port (0: any free one) or set metrics.enabled=false", e);
      }
      observer.serving(started.baseUri());
    }
    this.server = started;
  }

  RunMetrics metrics() {
    return metrics;
  }

  /** The training loop {@code label} starts now: the listener shows and records its steps; close it after the loop. */
  Training training(String label) {
    metrics.markReady();
    return new Training(label);
  }

  /** A checkpoint was just written. */
  void checkpointWritten() {
    metrics.checkpointWritten();
  }

  /** The loss curve of a finished loop, for the plots. */
  void curve(String name, int firstStep, List<TrainingStep.Result> results) {
    if (!results.isEmpty()) {
      curves.add(new LossCurve(name, firstStep, results.stream().mapToDouble(TrainingStep.Result::loss).toArray()));
    }
  }

  List<LossCurve> curves() {
    return List.copyOf(curves);
  }

  /** Every evaluation's predictions so far, in order. */
  List<PredictionFiles.Evaluation> predictions() {
    return List.copyOf(predictions);
  }

  /** An evaluation starts: ready from now on (an {@code eval} run has no training step). */
  void evaluating() {
    metrics.markReady();
    if (evalTask == null) {
      evalTask = progress.start("evaluate", Math.max(1, evaluations), "evaluations");
    }
  }

  /** An evaluation finished with {@code row}; its {@code predictions} go to the run's predictions files. */
  void evaluated(ResultRow row, List<Evaluator.Prediction> predictions) {
    this.predictions.add(new PredictionFiles.Evaluation(row, predictions));
    metrics.evaluated(row.task(), row.mode(), row.demos(), row.metrics());
    evaluated++;
    if (evalTask != null) {
      StringBuilder status = new StringBuilder(row.task()).append(' ').append(row.mode())
          .append(row.demos() ? "" : " (no demos)");
      row.metrics().forEach((k, v) -> status.append(String.format(Locale.ROOT, " %s %.3f", k, v)));
      evalTask.update(evaluated, status.toString());
    }
  }

  /** For the run report: where the metrics were served. */
  Map<String, Object> report() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (server != null) {
      out.put("metrics_url", server.baseUri().resolve("metrics").toString());
    }
    return out;
  }

  @Override
  public void close() {
    if (evalTask != null) {
      evalTask.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** One training loop's listener: progress display, metrics, observer, in that order. */
  final class Training implements StepListener, AutoCloseable {
    private final String label;
    private final TrainingProgress display;
    private final MetricsListener recorder;

    private Training(String label) {
      this.label = label;
      this.display = new TrainingProgress(progress, label);
      this.recorder = new MetricsListener(metrics);
    }

    @Override
    public void onStep(int step, int totalSteps, double lr, TrainingStep.Result result) {
      display.onStep(step, totalSteps, lr, result);
      recorder.onStep(step, totalSteps, lr, result);
      observer.stepped(label, step, totalSteps);
    }

    @Override
    public void close() {
      display.close();
    }
  }
}
