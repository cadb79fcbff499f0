package dev.mmict.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.worker.train.TrainingStep;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each RunMetrics method shows up in the Prometheus text with the value fed in. */
class RunMetricsTest {
  private long now;

  /** The value of the one sample of {@code series} (name and labels as printed), or NaN. */
  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void stepsLossRateAndThroughputAreExported() {
    RunMetrics metrics = new RunMetrics("run-1", "local", () -> now);
    MetricsListener listener = new MetricsListener(metrics, () -> now);
    now += 2_000_000_000L;
    listener.onStep(0, 10, 1e-3, new TrainingStep.Result(2.5, 2.5, 0, 8, 80, 1, false));
    now += 500_000_000L;
    listener.onStep(1, 10, 2e-3, new TrainingStep.Result(1.5, 1.5, 0, 8, 80, 1, false));
    String text = metrics.scrape();
    String tags = "{node=\"local\",run=\"run-1\"}";
    assertEquals(2, value(text, "mmict_step" + tags));
    assertEquals(2, value(text, "mmict_steps_total" + tags));
    assertEquals(1.5, value(text, "mmict_loss" + tags));
    assertEquals(2e-3, value(text, "mmict_learning_rate" + tags));
    assertEquals(16, value(text, "mmict_samples_total" + tags));
    assertEquals(16, value(text, "mmict_samples_per_second" + tags)); // 8 dialogs in 0.5 s
    assertEquals(2, value(text, "mmict_step_time_seconds_count" + tags));
    assertEquals(2.5, value(text, "mmict_step_time_seconds_sum" + tags), 1e-9);
    assertEquals(0, value(text, "mmict_ready" + tags));
  }

  @Test
  void checkpointAgeCountsFromTheLastCheckpoint() {
    RunMetrics metrics = new RunMetrics("r", "n", () -> now);
    assertTrue(Double.isNaN(metrics.checkpointAgeSeconds()));
    now = 5_000_000_000L;
    metrics.checkpointWritten();
    now += 3_000_000_000L;
    assertEquals(3.0, metrics.checkpointAgeSeconds(), 1e-9);
    assertEquals(3.0, value(metrics.scrape(), "mmict_checkpoint_age_seconds{node=\"n\",run=\"r\"}"), 1e-9);
  }

  @Test
  void clusterFiguresAndEvaluationsAreExported() {
    RunMetrics metrics = new RunMetrics("r", "w1", () -> now);
    metrics.exchanged(4_000_000, 2.0);
    metrics.exchanged(1_000_000, 0.5);
    metrics.liveWorkers(3);
    metrics.workerFailed();
    metrics.recovered();
    metrics.recovered();
    metrics.markReady();
    metrics.evaluated("shapes-caption", "MMICT", true, Map.of("CIDEr", 0.25));
    metrics.evaluated("shapes-caption", "MMICT", true, Map.of("CIDEr", 0.5)); // the newest value wins
    String text = metrics.scrape();
    String tags = "{node=\"w1\",run=\"r\"}";
    assertEquals(5_000_000, value(text, "mmict_exchange_bytes_total" + tags));
    assertEquals(2_000_000, value(text, "mmict_exchange_bytes_per_second" + tags));
    assertEquals(2, value(text, "mmict_exchange_time_seconds_count" + tags));
    assertEquals(3, value(text, "mmict_workers_live" + tags));
    assertEquals(1, value(text, "mmict_worker_failures_total" + tags));
    assertEquals(2, value(text, "mmict_recoveries_total" + tags));
    assertEquals(1, value(text, "mmict_ready" + tags));
    assertTrue(metrics.ready());
    assertEquals(0.5, value(text, "mmict_eval_metric{demos=\"true\",metric=\"CIDEr\",mode=\"MMICT\",node=\"w1\","
        + "run=\"r\",task=\"shapes-caption\"}"), text);
    assertTrue(text.contains("mmict_loss" + tags + " NaN\n"), "an unfed gauge reads NaN, never a made-up 0");
  }
}
