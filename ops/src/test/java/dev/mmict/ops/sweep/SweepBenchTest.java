package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.Cli;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.run.TinyBackbone;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mmict bench sweep} on the smallest sweep that has something to run in parallel; no time is asserted. */
class SweepBenchTest {

  @TempDir
  Path dir;

  @Test
  void benchRunsTheSweepBothWaysAndReportsConsistentFigures() throws Exception {
    Path backbone = TinyBackbone.save(dir.resolve("backbone"), 3);
    Path file = dir.resolve("bench.yaml");
    Files.writeString(file, String.join("\n",
        "base:",
        "  model: {backbone: '" + backbone + "', maxTextTokens: 16}",
        "  data: {task: shapes-caption}",
        "  trainer: {steps: 1, warmupSteps: 0, batchSize: 2}",
        "  eval: {samples: 2, batchSize: 2, maxNewTokens: 2}",
        "space:",
        "  trainer.lr: {grid: [1e-3, 1e-4]}",
        "budget: {numTrials: 1, parallel: 2}",
        "objective: {metric: loss, mode: min}",
        "scheduler: {type: none}",
        ""));
    Path report = dir.resolve("sweep.json");
    Cli.Result r = Cli.run("bench", "sweep", "--config", file.toString(), "--work-dir", dir.toString(),
        "--trial-heap-mib", "768", "--report", report.toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(r.out().contains("ratio (trials/hour, 2 at once / one at a time)"), r.out());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    JsonNode f = json.get("figures");
    assertEquals(2, f.get("trials").asInt());
    assertEquals(0, f.get("failed_trials").asInt());
    assertEquals(json.get("ratio").asDouble(),
        f.get("parallel_trials_per_hour").asDouble() / f.get("sequential_trials_per_hour").asDouble(), 1e-9);
    assertEquals(2 * 3600 / f.get("parallel_wall_seconds").asDouble(), f.get("parallel_trials_per_hour").asDouble(),
        1e-6);
    assertEquals(0.0, f.get("parallel_stopped_share").asDouble(), "no scheduler, nothing stopped");
    Path root = Path.of(f.get("dir").asText());
    for (String run : new String[] {"parallel", "sequential"}) {
      JsonNode results = new ObjectMapper().readTree(root.resolve(run).resolve("results.json").toFile());
      assertEquals(2, results.get("counts").get("completed").asInt(), run);
      assertEquals(results.get("worker_seconds").asDouble(), f.get(run + "_worker_seconds").asDouble(), 1e-9);
    }
  }
}
