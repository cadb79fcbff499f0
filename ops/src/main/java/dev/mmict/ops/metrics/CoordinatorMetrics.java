package dev.mmict.ops.metrics;

import dev.mmict.coordinator.cluster.RunListener;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongToDoubleFunction;

/**
 * Feeds the coordinator node's {@link RunMetrics} from its run driver: each committed step (step,
 * loss, queries, step time, the schedule's learning rate), each aborted attempt (a recovery: the
 * step is re-planned), each death (a worker failure), and the live workers at every one of them.
 * The node is ready once its first attempt is planned.
 */
public final class CoordinatorMetrics implements RunListener {
  private final RunMetrics metrics;
  private final LongToDoubleFunction learningRate;

  /** Feeds {@code metrics}; {@code learningRate} gives the rate of each step. */
  public CoordinatorMetrics(RunMetrics metrics, LongToDoubleFunction learningRate) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
  }

  @Override
  public void attemptBegun(long step, int participants, int liveWorkers) {
    metrics.markReady();
    metrics.liveWorkers(liveWorkers);
  }

  @Override
  public void stepCommitted(long step, double loss, long samples, Duration wallTime, int liveWorkers) {
    metrics.stepCompleted(step + 1, loss, learningRate.applyAsDouble(step), Math.toIntExact(samples),
        wallTime.toNanos() / 1e9);
    metrics.liveWorkers(liveWorkers);
  }

  @Override
  public void attemptAborted(long step, String reason, int liveWorkers) {
    metrics.recovered();
    metrics.liveWorkers(liveWorkers);
  }

  @Override
  public void workerDied(String workerId, int liveWorkers) {
    metrics.workerFailed();
    metrics.liveWorkers(liveWorkers);
  }
}
