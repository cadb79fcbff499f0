package dev.mmict.coordinator.sweep;

/**
 * What a sweep optimises: an evaluation metric reported by every trial, and its direction.
 *
 * @param metric the metric name as the trial's evaluation reports it ({@code CIDEr}, {@code loss})
 * @param mode whether larger or smaller is better
 */
public record Objective(String metric, Mode mode) {

  /** Whether larger ({@link #MAX}) or smaller ({@link #MIN}) values are better. */
  public enum Mode {
    /** Smaller is better (a loss). */
    MIN,
    /** Larger is better (an accuracy, CIDEr). */
    MAX
  }

  /** Rejects a blank metric name. */
  public Objective {
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("objective metric must be named");
    }
    if (mode == null) {
      throw new IllegalArgumentException("objective mode must be min or max");
    }
  }

  /** {@code metric} as a score where larger is better: itself for MAX, negated for MIN. */
  public double score(double metric) {
    return mode == Mode.MAX ? metric : -metric;
  }

  /** Whether {@code a} is strictly better than {@code b} under this objective (NaN is never better). */
  public boolean better(double a, double b) {
    if (Double.isNaN(a)) {
      return false;
    }
    return Double.isNaN(b) || score(a) > score(b);
  }
}
