package dev.mmict.coordinator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepStateTest {

  @TempDir
  Path dir;

  private static List<TrialSpec> specs() {
    SearchSpace space = new SearchSpace(List.of(new Parameter.Grid("data.shots", List.of(0, 2)),
        new Parameter.LogUniform("trainer.lr", 1e-4, 1e-2),
        new Parameter.Choice("data.strategy", List.of("random", "same-group")),
        new Parameter.Grid("eval.withDemos", List.of(true, false))));
    return new TrialSampler(space, 11).trials(1);
  }

  /** Four trials in every interesting state. */
  private static SweepState midway() {
    SweepState state = SweepState.fresh("fp-1", specs());
    state = state.with(state.trial("trial-000").withStatus(TrialStatus.COMPLETED).withResult(16, 0.75, 16L)
        .withCheckpoint("ckpt/trial-000/step-16", 16).plusWorkerSeconds(30.5));
    state = state.with(state.trial("trial-001").withStatus(TrialStatus.STOPPED).withResult(1, 0.25, 1L)
        .plusWorkerSeconds(2));
    state = state.with(state.trial("trial-002").withStatus(TrialStatus.RUNNING).withResult(1, 0.5, 1L)
        .withResult(3, Double.NaN, null).withCheckpoint("ckpt/trial-002/step-3", 3).plusWorkerSeconds(7.25));
    return state;
  }

  @Test
  void roundTripsThroughTheStoreExactly() throws IOException {
    SweepStateStore store = new SweepStateStore(dir);
    assertEquals(Optional.empty(), store.load());
    SweepState state = midway();
    store.save(state);
    SweepState loaded = store.load().orElseThrow();
    assertEquals(state, loaded);
    TrialRecord t0 = loaded.trial("trial-000");
    assertTrue(t0.params().get("data.shots") instanceof Long);
    assertTrue(t0.params().get("trainer.lr") instanceof Double);
    assertTrue(t0.params().get("eval.withDemos") instanceof Boolean);
    assertTrue(loaded.trial("trial-002").lastMetric().isNaN());
    assertEquals(1, loaded.trial("trial-002").rungMetrics().size());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve(SweepStateStore.FILE_NAME)), files.toList(), "no temporary file left");
    }
    store.save(state.with(state.trial("trial-003").withStatus(TrialStatus.RUNNING)));
    assertEquals(TrialStatus.RUNNING, store.load().orElseThrow().trial("trial-003").status(), "save replaces");
  }

  @Test
  void restartKeepsFinishedTrialsAndResumesRunningOnes() throws IOException {
    SweepStateStore store = new SweepStateStore(dir);
    SweepState first = store.openOrCreate("fp-1", specs());
    assertEquals(4, first.withStatus(TrialStatus.PENDING).size());
    store.save(midway());

    SweepState again = new SweepStateStore(dir).openOrCreate("fp-1", specs());
    assertEquals(TrialStatus.COMPLETED, again.trial("trial-000").status());
    assertEquals(TrialStatus.STOPPED, again.trial("trial-001").status());
    TrialRecord resumed = again.trial("trial-002");
    assertEquals(TrialStatus.PENDING, resumed.status());
    assertTrue(resumed.resumes());
    assertEquals("ckpt/trial-002/step-3", resumed.checkpoint());
    assertEquals(3, resumed.steps());
    assertEquals(7.25, resumed.workerSeconds());
    assertEquals(Map.of(1L, 0.5), resumed.rungMetrics());
    assertFalse(again.trial("trial-003").resumes(), "never started: starts from scratch");
    assertEquals(again, store.load().orElseThrow(), "the restarted state is saved");
    assertFalse(again.finished());
  }

  @Test
  void aStateOfAnotherSweepIsRefused() throws IOException {
    SweepStateStore store = new SweepStateStore(dir);
    store.save(midway());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.openOrCreate("fp-2", specs()));
    assertTrue(e.getMessage().contains("fp-1") && e.getMessage().contains("fp-2"), e.getMessage());
  }

  @Test
  void corruptStateFilesAreReportedWithTheirPath() throws IOException {
    SweepStateStore store = new SweepStateStore(dir);
    Files.writeString(store.file(), "{\"format\": 1, \"trials\": [");
    IOException bad = assertThrows(IOException.class, store::load);
    assertTrue(bad.getMessage().contains(store.file().toString()), bad.getMessage());
    Files.writeString(store.file(), "{\"format\": 1, \"fingerprint\": \"x\", \"trials\": [{\"id\": \"a\"}]}");
    IOException missing = assertThrows(IOException.class, store::load);
    assertTrue(missing.getMessage().contains("a: missing field"), missing.getMessage());
    Files.writeString(store.file(), "{\"format\": 9}");
    assertTrue(assertThrows(IOException.class, store::load).getMessage().contains("format 9"));
  }

  @Test
  void bestTrialAndRebuiltScheduler() {
    SweepState state = midway();
    assertEquals("trial-000", state.best(new Objective("CIDEr", Objective.Mode.MAX)).orElseThrow().id());
    assertEquals("trial-001", state.best(new Objective("loss", Objective.Mode.MIN)).orElseThrow().id(),
        "the NaN of trial-002 is never best");
    AshaScheduler asha = state.scheduler(new AshaSettings(16, 1, 4), Objective.Mode.MAX);
    assertEquals(Map.of("trial-001", 0.25, "trial-002", 0.5), asha.recorded(1));
    assertEquals(OptionalDouble.of(0.4375), asha.cutoff(1)); // 0.25 + .75 * 0.25
    assertEquals(AshaScheduler.Decision.STOP, asha.onResult("trial-001", 4, 1.0), "stopped before");
    assertNull(SweepState.fresh("f", specs()).trial("trial-003").lastMetric());
    assertThrows(IllegalArgumentException.class, () -> state.trial("trial-999"));
  }
}
