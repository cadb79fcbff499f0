package dev.mmict.ops.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.SweepStateStore;
import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepCommandTest {

  @TempDir
  Path dir;

  private Result run(String... args) {
    return Cli.run(args);
  }

  /** A worked example without random keys, so every cell of the table is known by hand. */
  private Path gridSweep() throws Exception {
    Path file = dir.resolve("grid.yaml");
    Files.writeString(file, String.join("\n",
        "base:",
        "  trainer: {steps: 8, warmupSteps: 0}",
        "space:",
        "  data.shots: {grid: [0, 4]}",
        "  trainer.lr: {grid: [0.001, 0.0003]}",
        "  data.strategy: {grid: [random]}",
        "budget: {numTrials: 2, parallel: 2, workersPerTrial: 1}",
        "objective: {metric: CIDEr, mode: max}",
        "scheduler: {type: asha, maxT: 8, gracePeriod: 2, reductionFactor: 2}",
        "seed: 3",
        ""));
    return file;
  }

  @Test
  void dryRunPrintsTheResolvedTrials() throws Exception {
    Path file = gridSweep();
    Result r = run("sweep", "--config", file.toString(), "--dry-run");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("sweep " + file, lines.get(0));
    assertEquals("  trials:    8 = 2 (numTrials) x 4 grid points; 2 in parallel, up to 1 worker per trial (in the trial's JVM)", lines.get(1));
    assertEquals("  objective: CIDEr (max)", lines.get(2));
    assertEquals("  scheduler: asha, rungs at steps 2, 4, 8 (maxT 8, grace period 2, reduction factor 2)",
        lines.get(3));
    assertTrue(lines.get(4).startsWith("  seed:      3; fingerprint "), lines.get(4));
    assertEquals("", lines.get(5));
    assertEquals(List.of(
        "| trial | data.shots | trainer.lr | data.strategy |",
        "| --- | --- | --- | --- |",
        "| trial-000 | 0 | 0.001 | random |",
        "| trial-001 | 0 | 0.0003 | random |",
        "| trial-002 | 4 | 0.001 | random |",
        "| trial-003 | 4 | 0.0003 | random |",
        "| trial-004 | 0 | 0.001 | random |",
        "| trial-005 | 0 | 0.0003 | random |",
        "| trial-006 | 4 | 0.001 | random |",
        "| trial-007 | 4 | 0.0003 | random |"), lines.subList(6, lines.size()));
  }

  @Test
  void dryRunOfRandomKeysIsReproducible() throws Exception {
    Path file = dir.resolve("random.yaml");
    Files.writeString(file, "space:\n  trainer.lr: {logUniform: [1e-5, 1e-2]}\n  trainer.warmupSteps: {intUniform: [0, 4]}\n"
        + "budget: {numTrials: 5}\n");
    Result first = run("sweep", "--config", file.toString(), "--dry-run");
    assertEquals(ExitCodes.OK, first.code(), first.err());
    assertEquals(first.out(), run("sweep", "--config", file.toString(), "--dry-run").out());
    List<String> rows = first.out().lines().filter(l -> l.startsWith("| trial-")).toList();
    assertEquals(5, rows.size());
    for (String row : rows) {
      String[] cells = row.split("\\|");
      double lr = Double.parseDouble(cells[2].trim());
      int warmup = Integer.parseInt(cells[3].trim());
      assertTrue(lr >= 1e-5 && lr < 1e-2, row);
      assertTrue(warmup >= 0 && warmup < 4, row);
    }
  }

  @Test
  void invalidSweepIsAConfigError() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "space:\n  trainer.lrr: {grid: [0.1]}\n");
    Result invalid = run("sweep", "--config", bad.toString());
    assertEquals(ExitCodes.CONFIG_ERROR, invalid.code());
    assertTrue(invalid.err().contains(bad + ":2:3: space.trainer.lrr: unknown run config key"), invalid.err());
    assertEquals(ExitCodes.USAGE_ERROR, run("sweep", "--dry-run").code(), "--config is required");
  }

  @Test
  void sweepsThisRunnerCannotRunFaithfullyAreRefusedBeforeAnythingRuns() throws Exception {
    Path out = dir.resolve("out");
    String grid = Files.readString(gridSweep());

    Path longer = dir.resolve("longer.yaml");
    Files.writeString(longer, grid.replace("steps: 8,", "steps: 10,"));
    Result steps = run("sweep", "--config", longer.toString(), "--out", out.toString());
    assertEquals(ExitCodes.CONFIG_ERROR, steps.code(), steps.err());
    assertTrue(steps.err().contains("trial-000 has trainer.steps 10 but scheduler.maxT is 8"), steps.err());
    assertTrue(Files.notExists(out), "nothing was written");
  }

  @Test
  void poolAddressesThatAreNotHostColonPortAreUsageErrors() throws Exception {
    Path out = dir.resolve("out");
    Result sweep = run("sweep", "--config", gridSweep().toString(), "--out", out.toString(), "--pool-listen", "7355");
    assertEquals(ExitCodes.USAGE_ERROR, sweep.code(), sweep.err());
    assertTrue(sweep.err().contains("--pool-listen '7355' is not HOST:PORT"), sweep.err());
    assertTrue(Files.notExists(out), "nothing was written");

    Result worker = run("worker", "--pool-join", "sweep-box:http");
    assertEquals(ExitCodes.USAGE_ERROR, worker.code(), worker.err());
    assertTrue(worker.err().contains("--pool-join 'sweep-box:http': the port is not a number"), worker.err());
    Result withSeed = run("worker", "--pool-join", "sweep-box:7355", "--seed", "127.0.0.1:2551");
    assertEquals(ExitCodes.USAGE_ERROR, withSeed.code(), withSeed.err());
    Result noId = run("worker", "--seed", "127.0.0.1:2551");
    assertEquals(ExitCodes.USAGE_ERROR, noId.code(), noId.err());
    assertTrue(noId.err().contains("a worker needs --id"), noId.err());
  }

  @Test
  void aSweepFromBeforeValLossWasTheDefaultIsRefusedWithTheReasonAndTheFix() throws Exception {
    // A sweep file that names no objective.metric, whose state was written while the metric defaulted to loss.
    Path file = dir.resolve("old.yaml");
    Files.writeString(file, Files.readString(gridSweep()).replace("objective: {metric: CIDEr, mode: max}\n", ""));
    SweepDefinition sweep = new SweepConfigLoader().load(file);
    assertEquals("val_loss", sweep.objective().metric());
    Path out = dir.resolve("out");
    new SweepStateStore(out).save(SweepState.fresh(sweep.formerDefaultFingerprint(), sweep.trials()));
    byte[] state = Files.readAllBytes(out.resolve(SweepStateStore.FILE_NAME));

    Result r = run("sweep", "--config", file.toString(), "--out", out.toString());
    assertEquals(ExitCodes.CONFIG_ERROR, r.code(), r.err());
    assertTrue(r.err().contains("was written when objective.metric defaulted to 'loss'"), r.err());
    assertTrue(r.err().contains("add 'objective: {metric: loss, mode: min}' to the sweep file"), r.err());
    assertArrayEquals(state, Files.readAllBytes(out.resolve(SweepStateStore.FILE_NAME)), "the state is untouched");

    // Any other stranger's state keeps the general message.
    new SweepStateStore(dir.resolve("other")).save(SweepState.fresh("0".repeat(64), sweep.trials()));
    Result other = run("sweep", "--config", file.toString(), "--out", dir.resolve("other").toString());
    assertEquals(ExitCodes.CONFIG_ERROR, other.code(), other.err());
    assertTrue(other.err().contains("belongs to a different sweep definition"), other.err());
  }

  @Test
  void theDefaultDirectoryIsNamedAfterTheSweepFile() {
    assertEquals(Path.of("runs", "sweep-sweep-shapes-caption"),
        SweepCommand.defaultOut(Path.of("examples", "sweep-shapes-caption.yaml")));
    assertEquals(Path.of("runs", "sweep-lr"), SweepCommand.defaultOut(Path.of("lr")));
  }
}
