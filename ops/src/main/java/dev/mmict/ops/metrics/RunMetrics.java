package dev.mmict.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The Prometheus metrics of one node of a run, in one Micrometer registry tagged with the run id
 * and the node name. Training code feeds it through these methods (the step listener of
 * {@link MetricsListener}, the cluster's exchange and membership code); {@link #scrape()} gives
 * the text {@code /metrics} serves. Every method is thread-safe.
 *
 * <p>Series (Prometheus names): {@code mmict_step}, {@code mmict_steps_total},
 * {@code mmict_step_time_seconds}, {@code mmict_loss}, {@code mmict_learning_rate},
 * {@code mmict_samples_total}, {@code mmict_samples_per_second}, {@code mmict_checkpoint_age_seconds},
 * {@code mmict_exchange_bytes_total}, {@code mmict_exchange_bytes_per_second},
 * {@code mmict_exchange_time_seconds}, {@code mmict_compute_time_seconds}, {@code mmict_workers_live}, {@code mmict_worker_failures_total},
 * {@code mmict_recoveries_total}, {@code mmict_ready}, {@code mmict_eval_metric}.
 */
public final class RunMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Tags tags;
  private final LongSupplier nanos;
  private final AtomicLong step = new AtomicLong();
  private final AtomicDouble loss = new AtomicDouble(Double.NaN);
  private final AtomicDouble lr = new AtomicDouble(Double.NaN);
  private final AtomicDouble samplesPerSecond = new AtomicDouble(Double.NaN);
  private final AtomicDouble exchangeBytesPerSecond = new AtomicDouble(Double.NaN);
  private final AtomicLong liveWorkers = new AtomicLong();
  private final AtomicLong lastCheckpointNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicBoolean ready = new AtomicBoolean();
  private final Map<String, AtomicDouble> evalMetrics = new ConcurrentHashMap<>();
  private final Counter steps;
  private final Counter samples;
  private final Timer stepTime;
  private final Counter exchangeBytes;
  private final Timer exchangeTime;
  private final Timer computeTime;
  private final Counter failures;
  private final Counter recoveries;

  /** Metrics of node {@code node} of run {@code runId}, timed by the system clock. */
  public RunMetrics(String runId, String node) {
    this(runId, node, System::nanoTime);
  }

  /** As above, with the clock checkpoint ages are measured by. */
  public RunMetrics(String runId, String node, LongSupplier nanos) {
    this.tags = Tags.of("run", Objects.requireNonNull(runId, "runId"), "node", Objects.requireNonNull(node, "node"));
    this.nanos = nanos;
    Gauge.builder("mmict.step", step, AtomicLong::get).tags(tags)
        .description("Steps completed (1-based index of the last finished step)").register(registry);
    steps = Counter.builder("mmict.steps").tags(tags).description("Steps completed by this process").register(registry);
    stepTime = Timer.builder("mmict.step.time").tags(tags).description("Wall time of one training step")
        .register(registry);
    gauge("mmict.loss", loss, "Training loss of the last step", null);
    gauge("mmict.learning.rate", lr, "Learning rate of the last step", null);
    samples = Counter.builder("mmict.samples").tags(tags).description("Dialogs trained on").register(registry);
    gauge("mmict.samples.per.second", samplesPerSecond, "Dialogs per second in the last step", null);
    Gauge.builder("mmict.checkpoint.age", this, RunMetrics::checkpointAgeSeconds).tags(tags).baseUnit("seconds")
        .description("Seconds since the last checkpoint was written (NaN before the first)").register(registry);
    exchangeBytes = Counter.builder("mmict.exchange.bytes").tags(tags).baseUnit("bytes")
        .description("Bytes sent by the gradient exchange").register(registry);
    gauge("mmict.exchange.bytes.per.second", exchangeBytesPerSecond, "Goodput of the last gradient exchange", null);
    exchangeTime = Timer.builder("mmict.exchange.time").tags(tags).description("Wall time of one gradient exchange")
        .register(registry);
    computeTime = Timer.builder("mmict.compute.time").tags(tags)
        .description("Wall time of one step's forward and backward on this worker").register(registry);
    Gauge.builder("mmict.workers.live", liveWorkers, AtomicLong::get).tags(tags)
        .description("Workers currently taking part in the run").register(registry);
    failures = Counter.builder("mmict.worker.failures").tags(tags).description("Workers lost during the run")
        .register(registry);
    recoveries = Counter.builder("mmict.recoveries").tags(tags)
        .description("Steps re-planned after a failure").register(registry);
    Gauge.builder("mmict.ready", ready, r -> r.get() ? 1 : 0).tags(tags)
        .description("1 once the run has started its first step").register(registry);
  }

  private void gauge(String name, AtomicDouble value, String description, Tags extra) {
    Gauge.builder(name, value, AtomicDouble::get).tags(extra == null ? tags : tags.and(extra))
        .description(description).register(registry);
  }

  /** The run is about to start its first step: {@code /health/ready} answers 200 from now on. */
  public void markReady() {
    ready.set(true);
  }

  /** Whether {@link #markReady()} was called. */
  public boolean ready() {
    return ready.get();
  }

  /**
   * A training step finished.
   *
   * @param stepNumber 1-based number of the finished step (the step index + 1)
   * @param stepLoss its loss
   * @param learningRate its learning rate
   * @param dialogs dialogs (samples) it trained on
   * @param seconds its wall time
   */
  public void stepCompleted(long stepNumber, double stepLoss, double learningRate, int dialogs, double seconds) {
    step.set(stepNumber);
    steps.increment();
    loss.set(stepLoss);
    lr.set(learningRate);
    samples.increment(dialogs);
    if (seconds > 0) {
      stepTime.record(Duration.ofNanos(Math.round(seconds * 1e9)));
      samplesPerSecond.set(dialogs / seconds);
    }
  }

  /** A checkpoint was written just now; {@code mmict_checkpoint_age_seconds} counts from here. */
  public void checkpointWritten() {
    lastCheckpointNanos.set(nanos.getAsLong());
  }

  /** Seconds since the last checkpoint, NaN before the first. */
  public double checkpointAgeSeconds() {
    long last = lastCheckpointNanos.get();
    return last == Long.MIN_VALUE ? Double.NaN : (nanos.getAsLong() - last) / 1e9;
  }

  /** One gradient exchange moved {@code bytes} in {@code seconds} (fed by the cluster). */
  public void exchanged(long bytes, double seconds) {
    exchangeBytes.increment(bytes);
    if (seconds > 0) {
      exchangeTime.record(Duration.ofNanos(Math.round(seconds * 1e9)));
      exchangeBytesPerSecond.set(bytes / seconds);
    }
  }

  /** One step's forward and backward took {@code seconds} on this worker (fed by the cluster). */
  public void computed(double seconds) {
    if (seconds >= 0) {
      computeTime.record(Duration.ofNanos(Math.round(seconds * 1e9)));
    }
  }

  /** {@code count} workers currently take part in the run (fed by the cluster). */
  public void liveWorkers(int count) {
    liveWorkers.set(count);
  }

  /** A worker was lost (fed by the cluster). */
  public void workerFailed() {
    failures.increment();
  }

  /** Work was re-planned after a failure (fed by the cluster). */
  public void recovered() {
    recoveries.increment();
  }

  /** An evaluation finished: one {@code mmict_eval_metric} series per metric. */
  public void evaluated(String task, String mode, boolean demos, Map<String, Double> metrics) {
    metrics.forEach((name, value) -> {
      String key = task + '\u0000' + mode + '\u0000' + demos + '\u0000' + name;
      evalMetrics.computeIfAbsent(key, k -> {
        AtomicDouble holder = new AtomicDouble(Double.NaN);
        gauge("mmict.eval.metric", holder, "Evaluation metrics of the finished evaluations",
            Tags.of("task", task, "mode", mode, "demos", Boolean.toString(demos), "metric", name));
        return holder;
      }).set(value);
    });
  }

  /** The Prometheus text exposition of every series. */
  public String scrape() {
    return registry.scrape();
  }

  /** The registry, for code that adds meters of its own. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** A double updated atomically (Micrometer reads gauges from other threads). */
  private static final class AtomicDouble {
    private final AtomicLong bits;

    AtomicDouble(double initial) {
      bits = new AtomicLong(Double.doubleToLongBits(initial));
    }

    double get() {
      return Double.longBitsToDouble(bits.get());
    }

    void set(double value) {
      bits.set(Double.doubleToLongBits(value));
    }
  }
}
