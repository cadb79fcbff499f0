package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spot instance's preemption notice (issue 4): a worker polling a metadata URL served here
 * leaves at the next step boundary when the notice appears, and the run goes on without an
 * aborted step or a lost sample.
 */
class PreemptionNoticeTest {

  private static final int STEPS = 6;

  @TempDir
  Path dir;

  @Test
  @Timeout(240)
  void aWorkerGivenAPreemptionNoticeLeavesAtAStepBoundaryAndNothingIsAborted() throws Exception {
    AtomicReference<String> answer = new AtomicReference<>("FALSE");
    HttpServer metadata = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    metadata.createContext("/computeMetadata/v1/instance/preempted", exchange -> {
      byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    metadata.start();
    String url = "http://127.0.0.1:" + metadata.getAddress().getPort() + "/computeMetadata/v1/instance/preempted";
    RunConfig config = new ConfigLoader().load(RunConfig.class, null, List.of("model.backbone=../models/backbone-tiny",
        "data.task=shapes-caption", "trainer.batchSize=8", "trainer.warmupSteps=0", "trainer.lr=3e-3"));
    ClusterJob job = ClusterJob.of(config, STEPS, 2);
    Path out = dir.resolve("preempted");
    Path configFile = out.resolve("config.yaml");
    new ConfigLoader().write(config, configFile);
    EmbeddedCluster.Result result;
    try (EmbeddedCluster cluster = EmbeddedCluster.start(job, configFile, out,
        new EmbeddedCluster.Options(2, true, Duration.ofSeconds(200), 1024),
        java.util.Map.of("worker-2", List.of("--preemption-url", url, "--preemption-poll", "0.2")))) {
      AuditWait.until(cluster, steps -> steps.size() >= 2, "step 1 committed");
      answer.set("TRUE"); // the cloud reclaims worker-2's machine soon
      result = cluster.await();
    } finally {
      metadata.stop(0);
    }
    RunSummary s = result.summary();
    assertTrue(s.completed(), s.detail());
    assertEquals(STEPS, s.stepsCommitted());
    assertEquals(0, s.stepsAborted(), "a noticed leave aborts nothing: " + s.aborts());
    List<MembershipEvent> leaving = s.events().stream()
        .filter(e -> e.workerId().equals("worker-2") && e.kind() == MembershipEvent.Kind.LEAVING).toList();
    assertEquals(1, leaving.size(), s.events().toString());
    assertTrue(leaving.get(0).detail().contains("PREEMPTION_NOTICE"), leaving.get(0).toString());
    assertTrue(s.events().stream().anyMatch(e -> e.workerId().equals("worker-2")
        && e.kind() == MembershipEvent.Kind.LEFT), s.events().toString());
    assertTrue(s.events().stream().noneMatch(e -> e.kind() == MembershipEvent.Kind.DIED), s.events().toString());
    assertEquals(0, result.workerExitCodes().get("worker-2"), "the preempted worker exits cleanly");

    List<StepAudit> audit = SampleAudit.read(result.auditFile());
    assertEquals(STEPS, audit.size());
    long lastWith2 = audit.stream().filter(a -> a.microBatches().stream().anyMatch(m -> m.worker().equals("worker-2")))
        .mapToLong(StepAudit::step).max().orElseThrow();
    assertTrue(lastWith2 < STEPS - 1, "worker-2 left before the end: " + lastWith2);
    for (StepAudit step : audit) {
      assertEquals(4, step.microBatches().size(), "step " + step.step() + ": every micro-batch trained once");
    }
    result.audit().forEach(epoch -> assertTrue(epoch.duplicated().isEmpty(), epoch.toString()));
  }
}
