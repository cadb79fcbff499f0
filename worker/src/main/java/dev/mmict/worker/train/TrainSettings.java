package dev.mmict.worker.train;

/**
 * One training run's optimisation knobs (what to train on is a list of {@link TaskMix}).
 *
 * @param steps optimisation steps
 * @param batchSize dialogs per step
 * @param lr peak learning rate
 * @param warmupSteps linear warmup steps, then cosine decay to 0
 * @param weightDecay AdamW decay on matrices
 * @param seed seeds the query orders and the demonstration draws
 * @param contrastWeight weight of the dialog contrastive loss on MMICT batches (0 disables it)
 * @param clipNorm global gradient-norm clip (0 disables it)
 * @param interleaved put the loss on demonstrations' raw text tokens too (pretraining)
 */
public record TrainSettings(
    int steps, int batchSize, double lr, int warmupSteps, double weightDecay, long seed, double contrastWeight,
    double clipNorm, boolean interleaved) {

  /** Checks ranges. */
  public TrainSettings {
    if (steps < 1 || batchSize < 1 || !(lr > 0) || warmupSteps < 0 || weightDecay < 0 || contrastWeight < 0 || clipNorm < 0) {
      throw new IllegalArgumentException("invalid training settings: " + this);
    }
  }
}
