package dev.mmict.coordinator.plan;

import java.util.Arrays;
import java.util.List;

/**
 * Everything trained in one step, as fixed micro-batches: derived from (seed, epoch, step) only.
 *
 * @param step 0-based global step
 * @param epoch the epoch all its queries belong to
 * @param start the data cursor before the step (its first query's place in the epoch order)
 * @param microBatches ids 0..n-1 in order; all of the plan's micro-batch size but possibly the
 *     last
 */
public record GlobalBatch(long step, long epoch, DataCursor start, List<MicroBatch> microBatches) {

  /** Freezes the list and checks that ids run 0..n-1. */
  public GlobalBatch {
    microBatches = List.copyOf(microBatches);
    for (int i = 0; i < microBatches.size(); i++) {
      if (microBatches.get(i).id() != i) {
        throw new IllegalArgumentException(
            "step " + step + ": micro-batch at position " + i + " has id "
                + microBatches.get(i).id());
      }
    }
  }

  /** Number of queries in the step. */
  public int sampleCount() {
    return microBatches.stream().mapToInt(mb -> mb.queries().size()).sum();
  }

  /** Every query sample of the step, in micro-batch order. */
  public int[] samples() {
    return microBatches.stream().flatMapToInt(mb -> Arrays.stream(mb.samples())).toArray();
  }
}
