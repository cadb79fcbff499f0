package dev.mmict.coordinator.plan;

import dev.mmict.storage.dataset.DemoSampler;
import java.util.Objects;

/**
 * What a run's step plans derive from, besides the training split itself: nothing here depends
 * on the number of workers.
 *
 * @param seed the run's seed; epoch orders and demonstration draws derive from it
 * @param globalBatchSize B, queries per step (the last step of an epoch may have fewer)
 * @param microBatchSize m, queries per micro-batch; must divide B
 * @param shots K, demonstrations per query (0 for VanillaFT)
 * @param strategy how demonstrations are drawn
 */
public record RunPlan(
    long seed, int globalBatchSize, int microBatchSize, int shots, DemoSampler.Strategy strategy) {

  /** Checks B > 0, m > 0, m divides B, K >= 0, strategy non-null. */
  public RunPlan {
    if (globalBatchSize <= 0) {
      throw new IllegalArgumentException("global batch size must be > 0, got " + globalBatchSize);
    }
    if (microBatchSize <= 0) {
      throw new IllegalArgumentException("micro-batch size must be > 0, got " + microBatchSize);
    }
    if (globalBatchSize % microBatchSize != 0) {
      throw new IllegalArgumentException(
          "global batch size " + globalBatchSize + " is not divisible by micro-batch size "
              + microBatchSize);
    }
    if (shots < 0) {
      throw new IllegalArgumentException("shots must be >= 0, got " + shots);
    }
    Objects.requireNonNull(strategy, "demonstration strategy");
  }

  /** Micro-batches of a full step: B / m. */
  public int microBatchesPerStep() {
    return globalBatchSize / microBatchSize;
  }
}
