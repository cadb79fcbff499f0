package dev.mmict.ops.metrics;

import dev.mmict.worker.train.StepListener;
import dev.mmict.worker.train.TrainingStep;
import java.util.function.LongSupplier;

/**
 * Feeds each finished training step into {@link RunMetrics}; a step's wall time is the time since
 * the previous step finished (the first: since this listener was made, just before the loop).
 */
public final class MetricsListener implements StepListener {
  private final RunMetrics metrics;
  private final LongSupplier nanos;
  private long last;

  /** Feeds {@code metrics}, timed by the system clock. */
  public MetricsListener(RunMetrics metrics) {
    this(metrics, System::nanoTime);
  }

  MetricsListener(RunMetrics metrics, LongSupplier nanos) {
    this.metrics = metrics;
    this.nanos = nanos;
    this.last = nanos.getAsLong();
  }

  @Override
  public void onStep(int step, int totalSteps, double lr, TrainingStep.Result result) {
    long now = nanos.getAsLong();
    metrics.stepCompleted(step + 1L, result.loss(), lr, result.dialogs(), (now - last) / 1e9);
    last = now;
  }
}
