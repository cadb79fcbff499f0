package dev.mmict.coordinator.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a sweep must not forget across a coordinator failover or a restart of
 * {@code mmict sweep}: every trial's record, and the fingerprint of the sweep definition they
 * came from (so a changed config is not mixed with old results). Immutable; persisted by
 * {@link SweepStateStore}.
 *
 * @param fingerprint identifies the sweep definition (for example a hash of the resolved trials,
 *     objective and scheduler); chosen by the caller
 * @param trials every trial, in index order
 */
public record SweepState(String fingerprint, List<TrialRecord> trials) {

  /** Sorts by index; rejects duplicate ids. */
  public SweepState {
    if (fingerprint == null || fingerprint.isBlank()) {
      throw new IllegalArgumentException("sweep state needs a fingerprint");
    }
    List<TrialRecord> sorted = new ArrayList<>(trials);
    sorted.sort(Comparator.comparingInt(TrialRecord::index));
    Set<String> ids = new HashSet<>();
    for (TrialRecord t : sorted) {
      if (!ids.add(t.id())) {
        throw new IllegalArgumentException("trial " + t.id() + " appears twice in the sweep state");
      }
    }
    trials = List.copyOf(sorted);
  }

  /** A sweep where no trial has run. */
  public static SweepState fresh(String fingerprint, List<TrialSpec> specs) {
    return new SweepState(fingerprint, specs.stream().map(TrialRecord::pending).toList());
  }

  /** The trial with this id. */
  public TrialRecord trial(String id) {
    return trials.stream().filter(t -> t.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no trial " + id + " in this sweep"));
  }

  /** This state with {@code updated} replacing the trial of the same id. */
  public SweepState with(TrialRecord updated) {
    trial(updated.id());
    List<TrialRecord> next = new ArrayList<>(trials.size());
    for (TrialRecord t : trials) {
      next.add(t.id().equals(updated.id()) ? updated : t);
    }
    return new SweepState(fingerprint, next);
  }

  /**
   * The state to continue from after a restart: finished trials stay finished (they are not
   * rerun); trials that were RUNNING become PENDING, keeping their checkpoint pointer, steps,
   * rung metrics and worker-seconds, so that they resume rather than start over.
   */
  public SweepState afterRestart() {
    List<TrialRecord> next = new ArrayList<>(trials.size());
    for (TrialRecord t : trials) {
      next.add(t.status() == TrialStatus.RUNNING ? t.withStatus(TrialStatus.PENDING) : t);
    }
    return new SweepState(fingerprint, next);
  }

  /** The trials with {@code status}, in index order. */
  public List<TrialRecord> withStatus(TrialStatus status) {
    return trials.stream().filter(t -> t.status() == status).toList();
  }

  /** Whether every trial is COMPLETED, STOPPED or FAILED. */
  public boolean finished() {
    return trials.stream().allMatch(t -> t.status().isFinal());
  }

  /** The trial with the best last metric under {@code objective} (lowest index on ties), if any reported. */
  public Optional<TrialRecord> best(Objective objective) {
    TrialRecord best = null;
    for (TrialRecord t : trials) {
      if (t.lastMetric() != null && !t.lastMetric().isNaN()
          && (best == null || objective.better(t.lastMetric(), best.lastMetric()))) {
        best = t;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * An ASHA scheduler that knows every rung result in this state, so that decisions after a
   * restart compare against the same results as before. A STOPPED trial is marked stopped.
   */
  public AshaScheduler scheduler(AshaSettings settings, Objective.Mode mode) {
    AshaScheduler scheduler = new AshaScheduler(settings, mode);
    for (TrialRecord t : trials) {
      for (Map.Entry<Long, Double> rung : t.rungMetrics().entrySet()) {
        boolean last = rung.getKey().equals(t.rungMetrics().lastKey());
        scheduler.restore(t.id(), rung.getKey(), rung.getValue(),
            last && (t.status() == TrialStatus.STOPPED || t.status() == TrialStatus.COMPLETED));
      }
    }
    return scheduler;
  }
}
