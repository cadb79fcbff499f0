package dev.mmict.coordinator.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of {@link AshaScheduler}, in the trial's time unit (optimizer steps).
 *
 * @param maxT a trial stops for good when it reaches this many steps
 * @param gracePeriod the first rung: no trial is stopped before it
 * @param reductionFactor rungs are {@code gracePeriod × reductionFactor^k}; at each one only the top
 *     {@code 1/reductionFactor} continue
 */
public record AshaSettings(long maxT, long gracePeriod, int reductionFactor) {

  /** Rejects non-positive times, a grace period beyond {@code maxT} and a factor below 2. */
  public AshaSettings {
    if (maxT < 1) {
      throw new IllegalArgumentException("maxT must be >= 1, got " + maxT);
    }
    if (gracePeriod < 1) {
      throw new IllegalArgumentException("gracePeriod must be >= 1, got " + gracePeriod);
    }
    if (gracePeriod > maxT) {
      throw new IllegalArgumentException("gracePeriod (" + gracePeriod + ") must not exceed maxT (" + maxT + ")");
    }
    if (reductionFactor < 2) {
      throw new IllegalArgumentException("reductionFactor must be >= 2, got " + reductionFactor);
    }
  }

  /** Ray Tune's ASHAScheduler defaults: maxT 100, grace period 1, reduction factor 4. */
  public static AshaSettings defaults() {
    return new AshaSettings(100, 1, 4);
  }

  /**
   * The rung milestones, ascending: {@code gracePeriod × reductionFactor^k} for every
   * {@code k >= 0} with the milestone at most {@code maxT} (computed in exact integers).
   */
  public List<Long> rungs() {
    List<Long> rungs = new ArrayList<>();
    long milestone = gracePeriod;
    while (milestone <= maxT) {
      rungs.add(milestone);
      if (milestone > maxT / reductionFactor) {
        break;
      }
      milestone *= reductionFactor;
    }
    return List.copyOf(rungs);
  }
}
