package dev.mmict.ops.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.Main;
import dev.mmict.ops.progress.LogProgress;
import dev.mmict.ops.report.PngAssert;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real, very short {@code mmict train}: its metrics endpoint is scraped while it trains, its
 * health endpoints answer, its progress is shown, and its report directory gets the plots.
 */
class RunTelemetryTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  /** A tiny untrained backbone saved as a model directory (no pretraining needed). */
  private static Path backbone(Path where) throws Exception {
    return TinyBackbone.save(where, 5);
  }

  private static HttpResponse<String> get(URI base, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("cannot GET " + path + ": " + e, e);
    }
  }

  private static double value(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*\\} (\\S+)$").matcher(scrape);
    assertTrue(m.find(), name + " missing from:\n" + scrape);
    return Double.parseDouble(m.group(1));
  }

  /** Scrapes the run's endpoints from inside the run: before training and after its third step. */
  private static final class Scraper implements RunObserver {
    URI base;
    int readyBeforeTraining;
    int readyDuring;
    int aliveDuring;
    String metricsDuring;

    @Override
    public void serving(URI base) {
      this.base = base;
      readyBeforeTraining = get(base, "/health/ready").statusCode();
    }

    @Override
    public void stepped(String label, int step, int total) {
      if (step == 2) {
        readyDuring = get(base, "/health/ready").statusCode();
        aliveDuring = get(base, "/health/alive").statusCode();
        HttpResponse<String> r = get(base, "/metrics");
        assertEquals(200, r.statusCode());
        metricsDuring = r.body();
      }
    }
  }

  @Test
  void metricsAreScrapedDuringARealTrainRunAndTheReportHasPlots() throws Exception {
    Path backbone = backbone(dir.resolve("backbone"));
    Path out = dir.resolve("run-a");
    List<String> progress = new CopyOnWriteArrayList<>();
    Scraper scraper = new Scraper();
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    PrintWriter o = new PrintWriter(stdout, true);
    List<String> args = new ArrayList<>(List.of("train", "--workers", "0", "--out", out.toString(),
        "--set", "model.backbone=" + backbone, "--set", "data.task=shapes-caption",
        "--set", "trainer.steps=4", "--set", "trainer.warmupSteps=1", "--set", "trainer.batchSize=2",
        "--set", "checkpoint.every=2", "--set", "eval.samples=2", "--set", "eval.maxNewTokens=2",
        "--set", "model.maxTextTokens=16"));
    int code = Main.run(args.toArray(String[]::new), o, new PrintWriter(stderr, true), Map.of(),
        new LocalOperations(o, new LogProgress(progress::add, 20, System::nanoTime), scraper));
    assertEquals(ExitCodes.OK, code, stderr.toString());

    assertEquals(503, scraper.readyBeforeTraining, "not ready before the first step");
    assertEquals(200, scraper.readyDuring);
    assertEquals(200, scraper.aliveDuring);
    String m = scraper.metricsDuring;
    assertTrue(m.contains("run=\"run-a\"") && m.contains("node=\"local\""), m);
    assertEquals(3, value(m, "mmict_step"));
    assertEquals(3, value(m, "mmict_steps_total"));
    assertEquals(6, value(m, "mmict_samples_total")); // 3 steps of 2 dialogs
    double loss = value(m, "mmict_loss");
    assertTrue(loss > 0 && loss < 50, "loss " + loss);
    double lr = value(m, "mmict_learning_rate");
    assertTrue(lr > 0 && lr <= 5e-4, "lr " + lr);
    assertEquals(3, value(m, "mmict_step_time_seconds_count"));
    assertTrue(value(m, "mmict_samples_per_second") > 0);
    double age = value(m, "mmict_checkpoint_age_seconds"); // the step-2 checkpoint was written
    assertTrue(age >= 0 && age < 600, "checkpoint age " + age);
    assertEquals(1, value(m, "mmict_ready"));

    assertTrue(progress.stream().anyMatch(l -> l.startsWith("shapes-caption MMICT 4/4 steps (100%) loss ")),
        progress.toString());
    assertTrue(progress.stream().anyMatch(l -> l.startsWith("evaluate 1/1 evaluations (100%) shapes-caption MMICT ")
        && l.matches(".* CIDEr \\d+\\.\\d{3} .*")),
        progress.toString());

    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(scraper.base.resolve("metrics").toString(), report.get("metrics_url").asText());
    List<String> plots = new ArrayList<>();
    report.get("plots").forEach(p -> plots.add(p.asText()));
    assertEquals(List.of(out.resolve("loss.png").toString(), out.resolve("metrics.png").toString()), plots);
    PngAssert.assertPng(out.resolve("loss.png"));
    PngAssert.assertPng(out.resolve("metrics.png"));
    assertTrue(stdout.toString().contains("report: "), stdout.toString());
    assertThrows(IOException.class, () -> HTTP.send(HttpRequest.newBuilder(scraper.base.resolve("/health/alive"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()), "closed after the run");
  }

  @Test
  void aMetricsPortInUseIsAConfigError() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      StringWriter err = new StringWriter();
      PrintWriter o = new PrintWriter(new StringWriter(), true);
      int code = Main.run(new String[] {"eval", "--out", dir.resolve("e").toString(),
          "--set", "metrics.port=" + taken.getLocalPort()}, o, new PrintWriter(err, true), Map.of(),
          new LocalOperations(o, new LogProgress(l -> { }, 1, System::nanoTime), RunObserver.NONE));
      assertEquals(ExitCodes.CONFIG_ERROR, code, err.toString());
      assertTrue(err.toString().contains("metrics.port"), err.toString());
    }
  }
}
