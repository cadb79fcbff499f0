package dev.mmict.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the coordinator's and the workers' feeds put into the Prometheus text. */
class ClusterNodeMetricsTest {

  private static void assertHas(String scrape, String line) {
    assertTrue(scrape.lines().anyMatch(l -> l.equals(line)), "no line '" + line + "' in:\n" + scrape);
  }

  @Test
  void theCoordinatorCountsCommitsAbortsAndDeathsAndTracksLiveWorkers() {
    RunMetrics m = new RunMetrics("r", "coordinator");
    CoordinatorMetrics feed = new CoordinatorMetrics(m, step -> 0.5 / (step + 1));
    assertFalse(m.ready());
    feed.attemptBegun(0, 2, 2);
    assertTrue(m.ready(), "ready once the first attempt is planned");
    feed.stepCommitted(0, 2.25, 8, Duration.ofMillis(500), 2);
    feed.attemptBegun(1, 2, 2);
    feed.workerDied("w2", 1);
    feed.attemptAborted(1, "ABORT_REASON_PEER_DIED", 1);
    feed.stepCommitted(1, 1.75, 8, Duration.ofSeconds(2), 1);
    String s = m.scrape();
    String tags = "{node=\"coordinator\",run=\"r\"}";
    assertHas(s, "mmict_step" + tags + " 2.0");
    assertHas(s, "mmict_steps_total" + tags + " 2.0");
    assertHas(s, "mmict_loss" + tags + " 1.75");
    assertHas(s, "mmict_learning_rate" + tags + " 0.25");
    assertHas(s, "mmict_samples_total" + tags + " 16.0");
    assertHas(s, "mmict_samples_per_second" + tags + " 4.0");
    assertHas(s, "mmict_step_time_seconds_count" + tags + " 2");
    assertHas(s, "mmict_step_time_seconds_sum" + tags + " 2.5");
    assertHas(s, "mmict_workers_live" + tags + " 1.0");
    assertHas(s, "mmict_worker_failures_total" + tags + " 1.0");
    assertHas(s, "mmict_recoveries_total" + tags + " 1.0");
  }

  @Test
  void aWorkerRecordsComputeAndExchangeTimesAndTheBytesSentSinceItsLastStep() {
    RunMetrics m = new RunMetrics("r", "worker-1");
    AtomicLong sent = new AtomicLong(1000); // bytes from before the metrics existed do not count
    WorkerMetrics feed = new WorkerMetrics(m, sent::get);
    StepPlan plan = StepPlan.newBuilder().setStep(4).setLearningRate(0.125).build();
    sent.addAndGet(4096);
    feed.stepReported(plan, StepResult.newBuilder().setStep(4).setLossSum(6).setSampleCount(4)
        .setComputeMillis(1500).setExchangeMillis(500).build());
    sent.addAndGet(1024);
    feed.stepReported(plan.toBuilder().setStep(5).build(), StepResult.newBuilder().setStep(5).setLossSum(2)
        .setSampleCount(4).setComputeMillis(1000).setExchangeMillis(250).build());
    assertTrue(m.ready());
    String s = m.scrape();
    String tags = "{node=\"worker-1\",run=\"r\"}";
    assertHas(s, "mmict_step" + tags + " 6.0");
    assertHas(s, "mmict_loss" + tags + " 0.5");
    assertHas(s, "mmict_learning_rate" + tags + " 0.125");
    assertHas(s, "mmict_compute_time_seconds_count" + tags + " 2");
    assertHas(s, "mmict_compute_time_seconds_sum" + tags + " 2.5");
    assertHas(s, "mmict_exchange_time_seconds_sum" + tags + " 0.75");
    assertHas(s, "mmict_exchange_bytes_total" + tags + " 5120.0");
    assertHas(s, "mmict_exchange_bytes_per_second" + tags + " 4096.0");
    assertHas(s, "mmict_step_time_seconds_sum" + tags + " 3.25");
  }
}
