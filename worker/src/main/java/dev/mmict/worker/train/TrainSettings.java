package dev.mmict.worker.train;

import dev.mmict.hub.optim.LrSchedule;

/**
 * One training run's optimisation knobs (what to train on is a list of {@link TaskMix}).
 *
 * @param steps optimisation steps
 * @param batchSize dialogs per step
 * @param lr peak learning rate
 * @param warmupSteps linear warmup steps, then cosine decay to {@code minLr}
 * @param weightDecay AdamW decay on matrices
 * @param seed seeds the query orders and the demonstration draws
 * @param contrastWeight weight of the dialog contrastive loss on MMICT batches (0 disables it)
 * @param clipNorm global gradient-norm clip (0 disables it)
 * @param interleaved put the loss on demonstrations' raw text tokens too (pretraining)
 * @param minLr where the cosine decay ends ({@code lr} itself: constant after the warm-up)
 */
public record TrainSettings(
    int steps, int batchSize, double lr, int warmupSteps, double weightDecay, long seed, double contrastWeight,
    double clipNorm, boolean interleaved, double minLr) {

  /** Checks ranges. */
  public TrainSettings {
    if (steps < 1 || batchSize < 1 || !(lr > 0) || warmupSteps < 0 || weightDecay < 0 || contrastWeight < 0 || clipNorm < 0
        || minLr < 0 || minLr > lr) {
      throw new IllegalArgumentException("invalid training settings: " + this);
    }
  }

  /** Settings whose learning rate decays to 0 after the warm-up (the fine-tuning recipe). */
  public TrainSettings(int steps, int batchSize, double lr, int warmupSteps, double weightDecay, long seed,
      double contrastWeight, double clipNorm, boolean interleaved) {
    this(steps, batchSize, lr, warmupSteps, weightDecay, seed, contrastWeight, clipNorm, interleaved, 0);
  }

  /** The learning rate of every step. */
  public LrSchedule schedule() {
    return new LrSchedule(lr, 0, minLr, warmupSteps, steps);
  }
}
