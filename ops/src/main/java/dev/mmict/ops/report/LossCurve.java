package dev.mmict.ops.report;

import java.util.Objects;

/**
 * The training losses of one fine-tuning or pretraining run, for its plot.
 *
 * @param name what trained, e.g. {@code "shapes-caption MMICT"}
 * @param firstStep 1-based number of the first step in {@code losses} (past 1 for a resumed run)
 * @param losses the loss of each step this process ran, in order
 */
public record LossCurve(String name, int firstStep, double[] losses) {

  /** Checks the name and the step. */
  public LossCurve {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(losses, "losses");
    if (firstStep < 1) {
      throw new IllegalArgumentException("firstStep must be >= 1, got " + firstStep);
    }
  }
}
