package dev.mmict.ops.metrics;

import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Feeds a worker node's {@link RunMetrics} from the steps it reports: step, loss, queries and
 * learning rate; the compute (forward and backward) and exchange times; the bytes its data plane
 * sent since the previous report (aborted attempts' bytes included: they were sent). A step's
 * time on a worker is its compute plus exchange time. The node is ready from its first step.
 * Called by one thread at a time (the node's metrics actor).
 */
public final class WorkerMetrics {
  private final RunMetrics metrics;
  private final LongSupplier bytesSent;
  private long bytesBefore;

  /** Feeds {@code metrics}; {@code bytesSent} is the data plane's running total of bytes sent. */
  public WorkerMetrics(RunMetrics metrics, LongSupplier bytesSent) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.bytesSent = Objects.requireNonNull(bytesSent, "bytesSent");
    this.bytesBefore = bytesSent.getAsLong();
  }

  /** The worker reported {@code result} of {@code plan}. */
  public void stepReported(StepPlan plan, StepResult result) {
    double compute = result.getComputeMillis() / 1000.0;
    double exchange = result.getExchangeMillis() / 1000.0;
    long total = bytesSent.getAsLong();
    long bytes = total - bytesBefore;
    bytesBefore = total;
    metrics.markReady();
    double loss = result.getSampleCount() == 0 ? Double.NaN : result.getLossSum() / result.getSampleCount();
    metrics.stepCompleted(result.getStep() + 1, loss, plan.getLearningRate(), result.getSampleCount(),
        compute + exchange);
    metrics.computed(compute);
    metrics.exchanged(bytes, exchange);
  }
}
