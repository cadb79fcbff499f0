package dev.mmict.coordinator.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.coordinator.plan.Assignment;
import dev.mmict.coordinator.plan.GlobalBatch;
import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAuditTest {

  @TempDir Path dir;

  /** 23 samples, all queryable. */
  private static final Dataset DATA =
      new Dataset() {
        @Override
        public String name() {
          return "audit-23";
        }

        @Override
        public List<String> splits() {
          return List.of(TRAIN);
        }

        @Override
        public int size(String split) {
          return 23;
        }

        @Override
        public Sample get(String split, int index) {
          throw new UnsupportedOperationException();
        }

        @Override
        public boolean isQueryable(String split, int index) {
          return true;
        }
      };

  private final StepPlanner planner =
      StepPlanner.forSplit(DATA, Dataset.TRAIN, new RunPlan(5, 6, 2, 1, DemoSampler.Strategy.RANDOM));

  @Test
  void aRunWithADeathAndAbortsStillTrainsEverySampleOnce() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    List<String> workers = List.of("w1", "w2", "w3");
    try (SampleAudit audit = SampleAudit.open(file)) {
      for (long step = 0; step < 2 * planner.stepsPerEpoch(); step++) {
        GlobalBatch batch = planner.plan(step);
        Assignment assignment = Assignment.balanced(batch.microBatches().size(), workers);
        audit.begin(StepAudit.of(batch, assignment));
        if (step == 2) {
          // w2 dies mid-step: the attempt is discarded and re-planned over the survivors.
          audit.abort(step);
          workers = List.of("w1", "w3");
          assignment = assignment.without(Set.of("w2"));
          audit.begin(StepAudit.of(batch, assignment));
        }
        audit.commit(step);
      }
      assertEquals(7, audit.lastCommittedStep().getAsLong());
    }
    List<StepAudit> steps = SampleAudit.read(file);
    assertEquals(8, steps.size());
    for (long epoch = 0; epoch < 2; epoch++) {
      AuditReport report = SampleAudit.check(steps, epoch, planner.queryableIndices());
      assertTrue(report.exactlyOnce(), report.summary());
      assertEquals(23, report.trained());
    }
    assertTrue(steps.get(2).microBatches().stream().noneMatch(mb -> mb.worker().equals("w2")));
    assertEquals(steps.get(2).entries().size(), planner.plan(2).sampleCount());
  }

  @Test
  void checkReportsMissingDuplicatedAndUnexpectedSamples() {
    List<StepAudit> steps =
        List.of(
            new StepAudit(0, 0, List.of(new MicroBatchAudit(0, "a", List.of(0, 1)), new MicroBatchAudit(1, "b", List.of(2, 1)))),
            new StepAudit(0, 1, List.of(new MicroBatchAudit(0, "a", List.of(2, 9)))),
            new StepAudit(1, 2, List.of(new MicroBatchAudit(0, "a", List.of(3)))));
    AuditReport report = SampleAudit.check(steps, 0, new int[] {0, 1, 2, 3, 4});
    assertFalse(report.exactlyOnce());
    assertEquals(List.of(3, 4), report.missing());
    assertEquals(List.of(1, 2), report.duplicated());
    assertEquals(List.of(9), report.unexpected());
    assertEquals(6, report.trained());
    assertTrue(report.summary().contains("2 missing [3, 4]"), report.summary());
  }

  @Test
  void anAbortedStepLeavesNoTrace() throws IOException {
    Path file = dir.resolve("a.jsonl");
    try (SampleAudit audit = SampleAudit.open(file)) {
      GlobalBatch batch = planner.plan(0);
      audit.begin(StepAudit.of(batch, Assignment.balanced(batch.microBatches().size(), List.of("a"))));
      audit.abort(0);
      assertTrue(audit.lastCommittedStep().isEmpty());
      assertThrows(IllegalStateException.class, () -> audit.commit(0), "nothing staged");
    }
    assertEquals(List.of(), SampleAudit.read(file));
  }

  @Test
  void aStepCannotBeCommittedTwice() throws IOException {
    try (SampleAudit audit = SampleAudit.open(dir.resolve("b.jsonl"))) {
      StepAudit s = new StepAudit(0, 0, List.of(new MicroBatchAudit(0, "a", List.of(1))));
      audit.begin(s);
      audit.commit(0);
      assertThrows(IllegalStateException.class, () -> audit.begin(s));
    }
  }

  @Test
  void aTornLastLineIsCutOffAndAppendingGoesOn() throws IOException {
    Path file = dir.resolve("torn.jsonl");
    try (SampleAudit audit = SampleAudit.open(file)) {
      audit.begin(new StepAudit(0, 0, List.of(new MicroBatchAudit(0, "a", List.of(4, 5)))));
      audit.commit(0);
    }
    Files.writeString(file, "{\"epoch\":0,\"step\":1,\"microBa", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertEquals(1, SampleAudit.read(file).size(), "the reader ignores the torn line");
    try (SampleAudit audit = SampleAudit.open(file)) {
      assertEquals(0, audit.lastCommittedStep().getAsLong());
      audit.begin(new StepAudit(0, 1, List.of(new MicroBatchAudit(0, "b", List.of(6)))));
      audit.commit(1);
    }
    List<StepAudit> steps = SampleAudit.read(file);
    assertEquals(List.of(0L, 1L), steps.stream().map(StepAudit::step).toList());
    assertEquals(List.of(6), steps.get(1).microBatches().get(0).samples());
  }

  @Test
  void aMalformedCompleteLineNamesFileAndLine() throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"epoch\":0,\"step\":0,\"microBatches\":[]}\nnot json\n");
    IOException e = assertThrows(IOException.class, () -> SampleAudit.read(file));
    assertTrue(e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
  }

  @Test
  void rewindDropsStepsAfterTheCheckpoint() throws IOException {
    Path file = dir.resolve("rewind.jsonl");
    try (SampleAudit audit = SampleAudit.open(file)) {
      for (long step = 0; step < 4; step++) {
        GlobalBatch batch = planner.plan(step);
        audit.begin(StepAudit.of(batch, Assignment.balanced(batch.microBatches().size(), List.of("a"))));
        audit.commit(step);
      }
      // Resumed from the checkpoint after step 1: steps 2 and 3 are trained again.
      audit.rewindAfter(1);
      assertEquals(1, audit.lastCommittedStep().getAsLong());
      for (long step = 2; step < 4; step++) {
        GlobalBatch batch = planner.plan(step);
        audit.begin(StepAudit.of(batch, Assignment.balanced(batch.microBatches().size(), List.of("b"))));
        audit.commit(step);
      }
    }
    List<StepAudit> steps = SampleAudit.read(file);
    assertEquals(4, steps.size());
    assertTrue(SampleAudit.check(steps, 0, planner.queryableIndices()).exactlyOnce());
  }
}
