package dev.mmict.coordinator.sweep;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * Asynchronous successive halving (ASHA), with the decision rule of Ray Tune's
 * {@code AsyncHyperBandScheduler} with one bracket.
 *
 * <p>Rungs are at {@link AshaSettings#rungs()}. When a trial reports a result at time {@code t},
 * <ol>
 *   <li>if {@code t >= maxT} it is finished: the answer is {@link Decision#STOP} (and the result is
 *       recorded at its rung, as Ray records a completed trial's last result);</li>
 *   <li>else, let {@code r} be the highest rung {@code <= t}. If there is none (before the grace
 *       period), or the trial was already judged at {@code r}, it continues;</li>
 *   <li>else the cutoff is the {@code (1 − 1/reductionFactor)} quantile, by linear interpolation
 *       between order statistics (numpy's default percentile), of the results that other trials
 *       recorded at {@code r} <em>before</em> this one. The trial stops if its result is strictly
 *       worse than the cutoff; otherwise it continues (a tie continues). With no earlier result at
 *       the rung there is no cutoff and it continues. Either way its result is recorded at
 *       {@code r}.</li>
 * </ol>
 * So decisions are made on arrival and never revised: the first trials at a rung are judged
 * against few others (the second against the first alone), later ones against more.
 * For {@link Objective.Mode#MIN} results are negated before comparing, as Ray does.
 *
 * <p>Differences from Ray, all for irregular reports: a trial that jumps past a rung is judged
 * only at the highest rung it reached (Ray may judge it later at the skipped lower one); a NaN
 * result stops the trial (Ray would let it continue) and is ignored in later cutoffs, as numpy's
 * {@code nanpercentile} ignores it; a trial once stopped stays stopped. Not thread-safe: the
 * coordinator calls it from one actor.
 */
public final class AshaScheduler {

  /** What a trial should do after a result. */
  public enum Decision {
    /** Keep training. */
    CONTINUE,
    /** Stop now: early (a rung cutoff) or because it reached {@code maxT}. */
    STOP
  }

  private final AshaSettings settings;
  private final Objective.Mode mode;
  private final List<Long> rungs;
  /** rung → trial id → score (larger is better), in arrival order. */
  private final Map<Long, Map<String, Double>> recorded = new TreeMap<>();
  private final Set<String> stopped = new HashSet<>();

  /**
   * @param settings rungs and reduction factor
   * @param mode whether the metric is minimised or maximised
   */
  public AshaScheduler(AshaSettings settings, Objective.Mode mode) {
    this.settings = settings;
    this.mode = mode;
    this.rungs = settings.rungs();
    for (long rung : rungs) {
      recorded.put(rung, new LinkedHashMap<>());
    }
  }

  /** The rung milestones, ascending. */
  public List<Long> rungs() {
    return rungs;
  }

  /** The settings this scheduler uses. */
  public AshaSettings settings() {
    return settings;
  }

  /**
   * Judges one result of a trial.
   *
   * @param trialId the trial
   * @param t the trial's time when the metric was measured (steps done), >= 0
   * @param metric the objective metric at {@code t}
   */
  public Decision onResult(String trialId, long t, double metric) {
    if (t < 0) {
      throw new IllegalArgumentException("time must be >= 0, got " + t + " for " + trialId);
    }
    if (stopped.contains(trialId)) {
      return Decision.STOP;
    }
    Long rung = rungAt(t);
    boolean finished = t >= settings.maxT();
    if (rung == null || recorded.get(rung).containsKey(trialId)) {
      return finished ? stop(trialId) : Decision.CONTINUE;
    }
    double score = score(metric);
    OptionalDouble cutoff = cutoffScore(rung);
    recorded.get(rung).put(trialId, score);
    if (finished || Double.isNaN(score) || (cutoff.isPresent() && score < cutoff.getAsDouble())) {
      return stop(trialId);
    }
    return Decision.CONTINUE;
  }

  /**
   * Records a result judged before (when rebuilding from durable sweep state), without deciding.
   *
   * @param stoppedHere whether the trial was stopped at this result
   */
  public void restore(String trialId, long rung, double metric, boolean stoppedHere) {
    Map<String, Double> atRung = recorded.get(rung);
    if (atRung == null) {
      throw new IllegalArgumentException(rung + " is not a rung of this scheduler (rungs " + rungs + ")");
    }
    atRung.put(trialId, score(metric));
    if (stoppedHere) {
      stopped.add(trialId);
    }
  }

  /** Whether a trial at time {@code t} has reached {@code maxT} (it completes rather than stops early). */
  public boolean completes(long t) {
    return t >= settings.maxT();
  }

  /**
   * The cutoff a new result at {@code rung} would be compared with, in metric units (not
   * negated), or empty if nothing is recorded there yet.
   */
  public OptionalDouble cutoff(long rung) {
    if (!recorded.containsKey(rung)) {
      throw new IllegalArgumentException(rung + " is not a rung of this scheduler (rungs " + rungs + ")");
    }
    OptionalDouble score = cutoffScore(rung);
    return score.isPresent() ? OptionalDouble.of(score(score.getAsDouble())) : score;
  }

  /** The results recorded at {@code rung}, trial id → metric, in arrival order. */
  public Map<String, Double> recorded(long rung) {
    Map<String, Double> atRung = recorded.get(rung);
    if (atRung == null) {
      throw new IllegalArgumentException(rung + " is not a rung of this scheduler (rungs " + rungs + ")");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    atRung.forEach((id, score) -> metrics.put(id, score(score)));
    return Collections.unmodifiableMap(metrics);
  }

  private Decision stop(String trialId) {
    stopped.add(trialId);
    return Decision.STOP;
  }

  private Long rungAt(long t) {
    Long best = null;
    for (long rung : rungs) {
      if (rung <= t) {
        best = rung;
      }
    }
    return best;
  }

  /** Negates for MIN; the map is an involution so it also turns a score back into a metric. */
  private double score(double metric) {
    return mode == Objective.Mode.MAX ? metric : -metric;
  }

  private OptionalDouble cutoffScore(long rung) {
    List<Double> scores = new ArrayList<>();
    for (double s : recorded.get(rung).values()) {
      if (!Double.isNaN(s)) {
        scores.add(s);
      }
    }
    if (scores.isEmpty()) {
      return OptionalDouble.empty();
    }
    Collections.sort(scores);
    double q = 1.0 - 1.0 / settings.reductionFactor();
    double position = q * (scores.size() - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, scores.size() - 1);
    double fraction = position - below;
    double low = scores.get(below);
    return OptionalDouble.of(low + fraction * (scores.get(above) - low));
  }
}
