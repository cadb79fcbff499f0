package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.SweepStateStore;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.Cli;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.run.TinyBackbone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sweeps on the built-in captioning data with a tiny backbone: every trial process is a JVM
 * running {@code mmict train --stop-at}. Learning rates descend with the trial index, so later
 * trials tend to reach rung 2 with a higher validation loss than earlier ones and ASHA stops some of them.
 */
class SweepRunnerTest {

  @TempDir
  static Path shared;

  private static Path backbone;

  @TempDir
  Path dir;

  @BeforeAll
  static void backbone() throws Exception {
    backbone = TinyBackbone.save(shared.resolve("backbone"), 3);
  }

  /** A sweep file over {@code lrs} (a grid, in this order): rungs at steps 2 and 4 = maxT. */
  private Path sweepFile(String name, String lrs) throws Exception {
    return sweepFile(dir.resolve(name), backbone, lrs);
  }

  /**
   * Writes at {@code file} a sweep of 4-step caption trials on {@code backbone} over the learning
   * rates {@code lrs} (a grid, in this order), 2 at once, one worker each, ASHA rungs at 2 and 4,
   * judged by the default objective: {@code val_loss}, the held-out loss of each rung's evaluation.
   */
  static Path sweepFile(Path file, Path backbone, String lrs) throws IOException {
    Files.writeString(file, String.join("\n",
        "base:",
        "  model: {backbone: '" + backbone + "', maxTextTokens: 16}",
        "  data: {task: shapes-caption}",
        "  trainer: {steps: 4, warmupSteps: 0, batchSize: 2}",
        "  eval: {samples: 2, batchSize: 2, maxNewTokens: 2}",
        "  checkpoint: {every: 1, keep: 2}",
        "space:",
        "  trainer.lr: {grid: [" + lrs + "]}",
        "budget: {numTrials: 1, parallel: 2, workersPerTrial: 1}",
        "scheduler: {type: asha, maxT: 4, gracePeriod: 2, reductionFactor: 2}",
        "seed: 1",
        ""));
    return file;
  }

  private static SweepRunner runner(SweepDefinition sweep, Path out, SweepRunner.Listener listener) {
    return new SweepRunner(sweep, new SweepRunner.Options(out, 2, 2, 768), listener);
  }

  private static long count(List<TrialEvent> events, String trial, TrialEvent.Kind kind) {
    return events.stream().filter(e -> e.trial().equals(trial) && e.kind() == kind).count();
  }

  @Test
  void sixTrialsTwoAtATimeCompleteAsStopsSomeAndAKilledTrialProcessLosesNothing() throws Exception {
    SweepDefinition sweep = new SweepConfigLoader().load(sweepFile("six.yaml", "3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5"));
    Path out = dir.resolve("out");
    // kill -9 the first process that continues a promoted trial, once it has run a second.
    List<TrialEvent> seen = new CopyOnWriteArrayList<>();
    AtomicBoolean killed = new AtomicBoolean();
    List<String> victim = new CopyOnWriteArrayList<>();
    SweepRunner.Listener listener = e -> {
      seen.add(e);
      if (e.kind() == TrialEvent.Kind.STARTED && e.step() > 0 && killed.compareAndSet(false, true)) {
        victim.add(e.trial());
        ProcessHandle.of(e.pid()).ifPresent(p -> p.onExit().completeOnTimeout(null, 1, TimeUnit.SECONDS)
            .thenRun(p::destroyForcibly));
      }
    };
    SweepRunner.Outcome outcome = runner(sweep, out, listener).run();

    assertTrue(outcome.finished());
    SweepState state = outcome.state();
    assertEquals(6, state.trials().size());
    assertTrue(state.trials().stream().allMatch(t -> t.status() == TrialStatus.COMPLETED
        || t.status() == TrialStatus.STOPPED), "no trial failed or was lost: " + state.trials());
    List<TrialRecord> stopped = state.withStatus(TrialStatus.STOPPED);
    assertFalse(stopped.isEmpty(), "ASHA stops some trials early");
    assertFalse(state.withStatus(TrialStatus.COMPLETED).isEmpty());
    for (TrialRecord t : stopped) {
      assertEquals(2, t.steps(), t.id() + " stopped at the first rung");
      assertEquals(Set.of(2L), t.rungMetrics().keySet());
    }
    for (TrialRecord t : state.withStatus(TrialStatus.COMPLETED)) {
      assertEquals(4, t.steps());
      assertEquals(Set.of(2L, 4L), t.rungMetrics().keySet());
      assertEquals(t.rungMetrics().get(4L), t.lastMetric());
    }

    // The killed trial: its process died, was restarted from its rung-2 checkpoint, and went on.
    assertEquals(1, victim.size());
    String v = victim.get(0);
    List<TrialEvent> journal = EventJournal.read(out);
    assertEquals(seen, journal, "the journal holds what the listener was told, in order");
    assertEquals(1, count(journal, v, TrialEvent.Kind.DIED), journal.toString());
    assertEquals(0, journal.stream().filter(e -> e.kind() == TrialEvent.Kind.FAILED).count());
    TrialRecord vr = state.trial(v);
    assertEquals(TrialStatus.COMPLETED, vr.status(), v + " finished after its restart");
    JsonNode segment = new ObjectMapper().readTree(out.resolve("trials").resolve(v).resolve("reports")
        .resolve("step-4.json").toFile());
    assertTrue(segment.get("resumed_step").asInt() >= 2, "the restart resumed from a checkpoint: " + segment);
    // The rung result is the val_loss of the evaluation the trial ran there, not a training loss.
    assertEquals(vr.rungMetrics().get(4L), segment.get("results").get(0).get("metrics").get("val_loss").asDouble());

    // Every trial started once from step 0; each promoted one once more per rung, the victim once more.
    for (TrialRecord t : state.trials()) {
      long expected = 1 + (t.steps() == 4 ? 1 : 0) + (t.id().equals(v) ? 1 : 0);
      assertEquals(expected, count(journal, t.id(), TrialEvent.Kind.STARTED), t.id() + ": " + journal);
      assertTrue(t.workerSeconds() > 0);
    }

    // Results: table, JSON, plot and a runnable best config.
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.startsWith("| trial | trainer.lr | val_loss @2 | val_loss @4 | final val_loss | state | steps | worker-s"
        + " | starts |"), md);
    JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertEquals(6, results.get("trials").size());
    assertEquals(stopped.size(), results.get("counts").get("stopped").asInt());
    String best = results.get("best").get("trial").asText();
    TrialRecord bestRecord = state.trial(best);
    assertEquals(TrialStatus.COMPLETED, bestRecord.status());
    for (TrialRecord t : state.withStatus(TrialStatus.COMPLETED)) {
      assertTrue(bestRecord.lastMetric() <= t.lastMetric(), best + " has the lowest final val_loss");
    }
    assertTrue(md.contains("**" + best + "**"), md);
    assertTrue(Files.size(out.resolve("objective.png")) > 1000);
    RunConfig bestConfig = new ConfigLoader().load(RunConfig.class, out.resolve("best-config.yaml"), List.of());
    assertEquals(sweep.trialConfigs().get(bestRecord.index()), bestConfig);
  }

  @Test
  void aSweepStoppedMidwayAndStartedAgainFinishesWithoutRerunningFinishedTrials() throws Exception {
    Path file = sweepFile("four.yaml", "3e-3, 1e-3, 1e-4, 1e-5");
    SweepDefinition sweep = new SweepConfigLoader().load(file);
    Path out = dir.resolve("out");
    // First run: stopped (its trial processes killed) once a trial has ended.
    List<SweepRunner> self = new ArrayList<>();
    SweepRunner first = runner(sweep, out, e -> {
      if (e.kind() == TrialEvent.Kind.STOPPED || e.kind() == TrialEvent.Kind.COMPLETED) {
        self.get(0).requestStop();
      }
    });
    self.add(first);
    SweepRunner.Outcome stoppedRun = first.run();
    assertFalse(stoppedRun.finished(), "stopped before the end");
    SweepState before = new SweepStateStore(out).load().orElseThrow();
    List<TrialRecord> finalBefore = before.trials().stream().filter(t -> t.status().isFinal()).toList();
    assertFalse(finalBefore.isEmpty());
    int eventsBefore = EventJournal.read(out).size();

    // Second run, through the CLI, same file and directory.
    Path report = dir.resolve("report.json");
    Cli.Result again = Cli.run("sweep", "--config", file.toString(), "--out", out.toString(),
        "--report", report.toString());
    assertEquals(ExitCodes.OK, again.code(), again.err());
    assertTrue(again.out().contains("| trial | trainer.lr |"), again.out());

    SweepState after = new SweepStateStore(out).load().orElseThrow();
    assertTrue(after.finished());
    for (TrialRecord t : finalBefore) {
      assertEquals(t, after.trial(t.id()), t.id() + " was finished and is untouched");
    }
    List<TrialEvent> journal = EventJournal.read(out);
    List<TrialEvent> secondRun = journal.subList(eventsBefore, journal.size());
    Set<String> finishedIds = finalBefore.stream().map(TrialRecord::id).collect(Collectors.toSet());
    assertTrue(secondRun.stream().noneMatch(e -> finishedIds.contains(e.trial())),
        "no event of a finished trial in the second run: " + secondRun);
    for (TrialRecord t : before.trials()) {
      if (!t.status().isFinal() && t.steps() > 0) {
        TrialEvent restart = secondRun.stream().filter(e -> e.trial().equals(t.id())).findFirst().orElseThrow();
        assertEquals(TrialEvent.Kind.STARTED, restart.kind());
        assertEquals(t.steps(), restart.step(), t.id() + " continues from its rung checkpoint");
      }
    }
    JsonNode results = new ObjectMapper().readTree(report.toFile());
    assertTrue(results.get("finished").asBoolean());
    assertEquals(4, results.get("trials").size());
    for (JsonNode t : results.get("trials")) {
      int starts = t.get("starts").asInt();
      assertEquals(count(journal, t.get("trial").asText(), TrialEvent.Kind.STARTED), starts);
      assertNotNull(t.get("final_metric"));
    }

    // The same directory with another sweep definition is refused before anything runs.
    Path other = sweepFile("other.yaml", "3e-3, 1e-3, 1e-4, 2e-5");
    Cli.Result refused = Cli.run("sweep", "--config", other.toString(), "--out", out.toString());
    assertEquals(ExitCodes.CONFIG_ERROR, refused.code(), refused.err());
    assertTrue(refused.err().contains("belongs to a different sweep definition"), refused.err());
    assertEquals(journal.size(), EventJournal.read(out).size(), "nothing ran");
  }
}
