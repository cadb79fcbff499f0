package dev.mmict.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.protocol.v1.MicroBatch;
import dev.mmict.protocol.v1.QueryAssignment;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.worker.GarbageCollectorHammer;
import dev.mmict.worker.exchange.FixedPoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas in one JVM, with the exchange done by hand: whoever trains which micro-batch, the
 * updated parameters are bitwise the same (deterministic mode), and an undone update redoes to
 * the same bits.
 */
class ReplicaTest {

  private final List<NDManager> managers = new ArrayList<>();
  private final List<Replica> replicas = new ArrayList<>();

  private Replica replica(boolean deterministic) {
    NDManager m = NDManager.newBaseManager();
    managers.add(m);
    Replica r = TinyReplicas.create(m, deterministic);
    replicas.add(r);
    return r;
  }

  @AfterEach
  void close() {
    replicas.forEach(Replica::close);
    managers.forEach(NDManager::close);
  }

  private static MicroBatch microBatch(int id, int... samples) {
    MicroBatch.Builder b = MicroBatch.newBuilder().setMicroBatchId(id);
    for (int s : samples) {
      b.addQueries(QueryAssignment.newBuilder().setSampleIndex(s).addDemonstrationIndices(s + 10)
          .addDemonstrationIndices(s + 20));
    }
    return b.build();
  }

  private static StepPlan plan(long step, String worker, List<MicroBatch> mine) {
    return StepPlan.newBuilder().setStep(step).setPlanId(Long.toString(step + 1)).setWorkerId(worker)
        .addAllMicroBatches(mine).setTotalMicroBatches(3).setTotalSamples(6).setLearningRate(3e-3).build();
  }

  private static List<MicroBatch> batches(long step) {
    int base = (int) step * 6;
    return List.of(microBatch(0, base, base + 1), microBatch(1, base + 2, base + 3), microBatch(2, base + 4, base + 5));
  }

  @Test
  void oneOrTwoReplicasEndWithBitwiseEqualParameters() {
    Replica alone = replica(true);
    Replica first = replica(true);
    Replica second = replica(true);
    assertArrayEquals(alone.parameterSha256(), first.parameterSha256(), "replicas start equal");
    byte[] start = alone.parameterSha256();
    for (long step = 0; step < 2; step++) {
      List<MicroBatch> all = batches(step);
      Replica.Contribution c = alone.contribute(plan(step, "alone", all));
      assertEquals(6, c.samples());
      byte[] expected = alone.apply(plan(step, "alone", all), c);

      // Worker 1 trains micro-batch 0, worker 2 micro-batches 1 and 2; the ring sums exactly.
      StepPlan p1 = plan(step, "w1", all.subList(0, 1));
      StepPlan p2 = plan(step, "w2", all.subList(1, 3));
      Replica.Contribution c1 = first.contribute(p1);
      Replica.Contribution c2 = second.contribute(p2);
      assertEquals(2, c1.samples());
      long[] sum = c1.fixed().clone();
      FixedPoint.addInto(sum, c2.fixed());
      Replica.Contribution reduced = new Replica.Contribution(sum, null, 0, 0, 0);
      Replica.Contribution reducedCopy = new Replica.Contribution(sum.clone(), null, 0, 0, 0);
      assertArrayEquals(expected, first.apply(p1, reduced), "step " + step + ": worker 1 differs from 1 worker");
      assertArrayEquals(expected, second.apply(p2, reducedCopy), "step " + step + ": worker 2 differs from 1 worker");
    }
    assertFalse(java.util.Arrays.equals(start, alone.parameterSha256()), "training changed the parameters");
    assertEquals(1, alone.appliedStep());
  }

  @Test
  void aReplannedStepUndoesTheAbortedUpdateAndRedoesItToTheSameBits() {
    Replica r = replica(true);
    StepPlan s0 = plan(0, "w", batches(0));
    r.apply(s0, r.contribute(s0));
    StepPlan s1 = plan(1, "w", batches(1));
    byte[] once = r.apply(s1, r.contribute(s1));
    // Step 1's attempt was aborted after this replica applied it: a new attempt of step 1.
    StepPlan again = s1.toBuilder().setPlanId("9").setAttempt(1).build();
    byte[] twice = r.apply(again, r.contribute(again));
    assertArrayEquals(once, twice);
    assertEquals(1, r.appliedStep());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.contribute(plan(5, "w", batches(0))));
    assertTrue(e.getMessage().contains("state after step 1") && e.getMessage().contains("step 5"), e.getMessage());
  }

  @Test
  void anEmptyPlanContributesZerosButStillApplies() {
    Replica r = replica(false);
    StepPlan idle = plan(0, "w", List.of());
    Replica.Contribution c = r.contribute(idle);
    assertEquals(0, c.samples());
    for (float x : c.floats()) {
      assertEquals(0f, x);
    }
    r.apply(idle, c);
    assertEquals(0, r.appliedStep());
  }

  @Test
  void aJoinerThatInstallsAPeersTransferredStateTrainsTheNextStepToTheSameBits() throws Exception {
    Replica donor = replica(true);
    for (long step = 0; step < 2; step++) {
      StepPlan p = plan(step, "donor", batches(step));
      donor.apply(p, donor.contribute(p));
    }
    byte[] afterOne = donor.parameterSha256();
    // The donor applied step 2 in an attempt that was then aborted: the export undoes it.
    StepPlan aborted = plan(2, "donor", batches(2));
    donor.apply(aborted, donor.contribute(aborted));
    ReplicaState state = donor.exportState(1);
    assertArrayEquals(afterOne, donor.parameterSha256(), "the export put back the state after step 1");
    assertEquals(1, donor.appliedStep());

    // Through the wire format, in small chunks arriving in reverse order.
    List<dev.mmict.protocol.v1.StateTransferChunk> chunks =
        new ArrayList<>(StateTransferCodec.encode("t1", state, 4096));
    java.util.Collections.reverse(chunks);
    StateAssembler assembler = new StateAssembler("t1");
    boolean complete = false;
    for (var c : chunks) {
      complete = assembler.accept(c);
    }
    assertTrue(complete);
    Replica joiner = replica(true);
    assertFalse(java.util.Arrays.equals(afterOne, joiner.parameterSha256()), "a fresh replica is behind");
    assertArrayEquals(afterOne, joiner.installState(assembler.result()));
    assertEquals(1, joiner.appliedStep());

    StepPlan s2 = plan(2, "w", batches(2));
    byte[] expected = donor.apply(s2, donor.contribute(s2));
    assertArrayEquals(expected, joiner.apply(s2, joiner.contribute(s2)), "the joiner's first step");

    // Control: the same parameters without the optimizer's moments and step end elsewhere.
    Replica amnesiac = replica(true);
    List<ReplicaState.Tensor> zeros = state.optimizer().stream()
        .map(t -> new ReplicaState.Tensor(t.name(), t.shape(), new float[t.values().length])).toList();
    amnesiac.installState(new ReplicaState(1, state.parameters(), zeros, 0));
    assertFalse(java.util.Arrays.equals(expected, amnesiac.apply(s2, amnesiac.contribute(s2))),
        "without the optimizer state the next step differs");
  }

  /**
   * DJL's {@code NDArray.mul(Number)} (and div, pow, maximum) wraps the number in a tensor over a
   * Java buffer and closes it at once, while autograd keeps that tensor for the backward pass: once
   * the garbage collector frees the buffer, the gradient reads freed memory (NaN or garbage, now
   * and then). The model uses constants PyTorch owns instead; with the collector running flat out
   * on another thread, every gradient must still come out bit for bit.
   */
  @Test
  void gradientsAreBitwiseTheSameWhileTheGarbageCollectorRunsFlatOut() throws Exception {
    Replica quiet = replica(true);
    List<long[]> expected = new ArrayList<>();
    for (long step = 0; step < 3; step++) {
      StepPlan p = plan(step, "w", batches(step));
      Replica.Contribution c = quiet.contribute(p);
      expected.add(c.fixed().clone());
      quiet.apply(p, c);
    }
    try (GarbageCollectorHammer hammer = GarbageCollectorHammer.start()) {
      for (int round = 0; round < 2; round++) {
        Replica stressed = replica(true);
        for (long step = 0; step < 3; step++) {
          StepPlan p = plan(step, "w", batches(step));
          Replica.Contribution c = stressed.contribute(p);
          assertArrayEquals(expected.get((int) step), c.fixed(), "round " + round + " step " + step);
          stressed.apply(p, c);
        }
      }
    }
  }
}
