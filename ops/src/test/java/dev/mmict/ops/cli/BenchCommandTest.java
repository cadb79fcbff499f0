package dev.mmict.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.Main;
import dev.mmict.ops.run.LocalOperations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir
  Path dir;

  @Test
  void exchangeBenchmarkPrintsFiguresAndWritesRatioAndFigures() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("exchange.json");
    int code = Main.run(new String[] {"bench", "exchange", "--ranks", "2", "--sizes-mib", "1", "--iterations", "1",
        "--report", report.toString()}, o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(out.toString().contains("ratio"), out.toString());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    double ratio = json.get("ratio").asDouble();
    assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
    assertEquals(2, json.get("figures").get("ranks").asInt());
    assertTrue(json.get("figures").get("1mib.allreduce_fp32_gbps").asDouble() > 0);
  }

  @Test
  void cacheBenchmarkTimesTheThreePassesAndWritesRatioAndFigures() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("cache.json");
    Path work = dir.resolve("work");
    int code = Main.run(new String[] {"bench", "cache", "--steps", "2", "--warmup-steps", "0",
        "--work-dir", work.toString(), "--report", report.toString(),
        "--set", "model.backbone=" + backbone(), "--set", "data.task=shapes-caption",
        "--set", "trainer.batchSize=2"}, o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(out.toString().contains("ratio (no cache / warm cache)"), out.toString());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    double ratio = json.get("ratio").asDouble();
    assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
    JsonNode f = json.get("figures");
    assertEquals(ratio, f.get("no_cache_s").asDouble() / f.get("warm_cache_s").asDouble(), 1e-9);
    // shapes-caption gives each query 2 demonstrations: 2 steps x 2 dialogs x 3 pictures.
    assertEquals(12, f.get("visuals_per_pass").asInt());
    assertEquals(0, f.get("warm_misses").asInt(), "the warm pass is served entirely from the cache");
    assertTrue(f.get("cache_records").asInt() > 0 && f.get("cache_bytes").asLong() > 0);
    assertTrue(f.get("cold_warm_losses_identical").asBoolean());
    assertEquals(0, Files.list(work).count(), "the temporary cache is removed");
  }

  /** The shipped backbone, from the module directory the tests run in or the repository root. */
  private static String backbone() {
    Path p = Path.of("..", "models", "backbone-tiny");
    return (Files.isDirectory(p) ? p : Path.of("models", "backbone-tiny")).toString();
  }
}
