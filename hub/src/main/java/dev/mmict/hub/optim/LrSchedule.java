package dev.mmict.hub.optim;

/**
 * Linear warmup from {@code startLr} to {@code peakLr} over {@code warmupSteps}, then cosine
 * decay to {@code minLr} at {@code totalSteps} (the release's recipe, MMICT.md).
 */
public record LrSchedule(double peakLr, double startLr, double minLr, int warmupSteps, int totalSteps) {

  /** Checks the ranges. */
  public LrSchedule {
    if (!(peakLr > 0) || startLr < 0 || minLr < 0 || warmupSteps < 0 || totalSteps < 1) {
      throw new IllegalArgumentException("bad learning-rate schedule: " + this);
    }
  }

  /** The learning rate for the 0-based step. */
  public double at(int step) {
    if (step < warmupSteps) {
      return startLr + (peakLr - startLr) * step / warmupSteps;
    }
    int decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
  }
}
