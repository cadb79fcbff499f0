package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.Cli;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running one-worker loopback cluster observed from outside, as an operator would: the
 * coordinator's and the worker's {@code /metrics} and health, and {@code mmict status}. The run is
 * planned far longer than the test watches it; closing the cluster ends it.
 */
class ClusterStatusTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(URI base, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the first series named {@code name} in a Prometheus text exposition. */
  private static OptionalDouble metric(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(scrape);
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }

  @Test
  @Timeout(150)
  void aRunningClusterServesMetricsHealthAndStatusOnEveryNode() throws Exception {
    RunConfig config = new ConfigLoader().load(RunConfig.class, null, List.of("model.backbone=../models/backbone-tiny",
        "data.task=shapes-caption", "trainer.batchSize=4", "trainer.warmupSteps=0", "trainer.lr=3e-3"));
    ClusterJob job = ClusterJob.of(config, 500, 2);
    Path configFile = dir.resolve("config.yaml");
    new ConfigLoader().write(config, configFile);
    try (EmbeddedCluster cluster = EmbeddedCluster.start(job, configFile, dir.resolve("out"),
        new EmbeddedCluster.Options(1, false, WAIT, 1024))) {
      URI coordinator = cluster.coordinatorHttp().orElseThrow();
      assertEquals(200, get(coordinator, "health/alive").statusCode());

      // Scrape the coordinator until it has committed a step.
      long deadline = System.nanoTime() + WAIT.toNanos();
      String scrape = "";
      while (metric(scrape, "mmict_steps_total").orElse(0) < 1) {
        if (System.nanoTime() > deadline || cluster.outcome().isDone()) {
          fail("no committed step seen on " + coordinator + "metrics (run ended: " + cluster.outcome().isDone()
              + "); last scrape:\n" + scrape);
        }
        Thread.sleep(300);
        scrape = get(coordinator, "metrics").body();
      }
      assertTrue(metric(scrape, "mmict_step").orElseThrow() >= 1, scrape);
      assertEquals(1.0, metric(scrape, "mmict_workers_live").orElseThrow(), scrape);
      double loss = metric(scrape, "mmict_loss").orElseThrow();
      assertTrue(loss > 0 && Double.isFinite(loss), scrape);
      assertTrue(metric(scrape, "mmict_step_time_seconds_count").orElseThrow() >= 1, scrape);
      assertEquals(200, get(coordinator, "health/ready").statusCode());

      String address = coordinator.getHost() + ":" + coordinator.getPort();
      Cli.Result text = Cli.run("status", "--coordinator", address);
      assertEquals(ExitCodes.OK, text.code(), text.err());
      Matcher step = Pattern.compile("(?m)^step (\\d+) \\(epoch").matcher(text.out());
      assertTrue(step.find() && Long.parseLong(step.group(1)) >= 1, text.out());
      assertTrue(text.out().lines().anyMatch(l -> l.trim().startsWith("worker-1 ") && l.contains("ACTIVE")),
          text.out());
      assertTrue(text.out().contains("coordinator  Up") && text.out().contains("worker  Up"), text.out());
      assertTrue(text.out().contains("worker-1   JOINED"), text.out());

      Path report = dir.resolve("status.json");
      Cli.Result json = Cli.run("status", "--coordinator", "http://" + address + "/", "--json", "--events", "1",
          "--report", report.toString());
      assertEquals(ExitCodes.OK, json.code(), json.err());
      JsonNode doc = new ObjectMapper().readTree(json.out());
      assertEquals(doc, new ObjectMapper().readTree(report.toFile()));
      assertEquals("worker-1", doc.get("members").get(0).get("worker_id").asText());
      assertTrue(doc.get("members").get(0).get("last_completed_step").asLong() >= 0, doc.toString());
      assertTrue(doc.get("samples_per_second").asDouble() > 0, doc.toString());
      assertEquals(1, doc.get("recent_events").size(), "--events 1");
      assertEquals(2, doc.get("nodes").size(), doc.toString());

      // The worker node announced its endpoints in its log and has recorded its steps.
      Optional<URI> worker = cluster.workerHttp("worker-1");
      assertTrue(worker.isPresent(), "worker-1's log names no http endpoints");
      String workerScrape = get(worker.get(), "metrics").body();
      assertTrue(metric(workerScrape, "mmict_compute_time_seconds_count").orElseThrow() >= 1, workerScrape);
      // Alone in the ring, the worker exchanges nothing: its byte counter is served, and zero.
      assertEquals(0.0, metric(workerScrape, "mmict_exchange_bytes_total").orElseThrow(), workerScrape);
      assertEquals(200, get(worker.get(), "health/ready").statusCode());
      assertEquals(404, get(worker.get(), "status").statusCode(), "only the coordinator serves /status");
    }
  }
}
