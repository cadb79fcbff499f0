package dev.mmict.coordinator.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The durable record of one trial: what it is, how far it got, what it measured and cost.
 * Immutable; the {@code with…} methods return updated copies.
 *
 * @param id the trial id ({@code trial-000})
 * @param index the trial's position in the sweep
 * @param params searched key → value (String, Long, Double or Boolean)
 * @param status where the trial is
 * @param steps training steps completed at its last report
 * @param rungMetrics rung milestone → objective metric measured there, ascending
 * @param lastMetric the latest objective metric reported, or null before the first
 * @param workerSeconds wall-clock seconds summed over the workers that trained it
 * @param checkpoint pointer to its latest checkpoint (a directory or URI), or null if none yet
 * @param failure why it failed, or null
 */
public record TrialRecord(
    String id,
    int index,
    Map<String, Object> params,
    TrialStatus status,
    long steps,
    SortedMap<Long, Double> rungMetrics,
    Double lastMetric,
    double workerSeconds,
    String checkpoint,
    String failure) {

  /** Copies the collections; rejects negative progress or cost. */
  public TrialRecord {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a trial needs an id");
    }
    if (status == null) {
      throw new IllegalArgumentException("trial " + id + " needs a status");
    }
    if (steps < 0 || workerSeconds < 0) {
      throw new IllegalArgumentException("trial " + id + ": steps and worker-seconds must be >= 0");
    }
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    rungMetrics = Collections.unmodifiableSortedMap(new TreeMap<>(rungMetrics));
  }

  /** A trial that has not run yet. */
  public static TrialRecord pending(TrialSpec spec) {
    return new TrialRecord(spec.id(), spec.index(), spec.params(), TrialStatus.PENDING, 0, new TreeMap<>(),
        null, 0, null, null);
  }

  /** This trial with another status. */
  public TrialRecord withStatus(TrialStatus newStatus) {
    return new TrialRecord(id, index, params, newStatus, steps, rungMetrics, lastMetric, workerSeconds,
        checkpoint, failure);
  }

  /** This trial after reporting {@code metric} at {@code step}; recorded at {@code rung} if not null. */
  public TrialRecord withResult(long step, double metric, Long rung) {
    TreeMap<Long, Double> rungs = new TreeMap<>(rungMetrics);
    if (rung != null) {
      rungs.put(rung, metric);
    }
    return new TrialRecord(id, index, params, status, Math.max(steps, step), rungs, metric, workerSeconds,
        checkpoint, failure);
  }

  /** This trial with {@code seconds} more worker time. */
  public TrialRecord plusWorkerSeconds(double seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("worker-seconds to add must be >= 0, got " + seconds);
    }
    return new TrialRecord(id, index, params, status, steps, rungMetrics, lastMetric, workerSeconds + seconds,
        checkpoint, failure);
  }

  /** This trial with a newer checkpoint written at {@code step}. */
  public TrialRecord withCheckpoint(String pointer, long step) {
    return new TrialRecord(id, index, params, status, Math.max(steps, step), rungMetrics, lastMetric,
        workerSeconds, pointer, failure);
  }

  /** This trial, failed for {@code reason}. */
  public TrialRecord failed(String reason) {
    return new TrialRecord(id, index, params, TrialStatus.FAILED, steps, rungMetrics, lastMetric, workerSeconds,
        checkpoint, reason);
  }

  /** Whether a start of this trial continues from a checkpoint instead of from scratch. */
  public boolean resumes() {
    return status == TrialStatus.PENDING && checkpoint != null;
  }
}
