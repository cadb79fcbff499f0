package dev.mmict.coordinator.cluster;

import java.time.Duration;

/**
 * Observes a run as its {@link RunDriver} decides it (metrics, dashboards): the driver calls it on
 * the coordinator actor's thread, synchronously, after its own state has changed. Implementations
 * must be quick and must not throw (an exception would fail the message the actor was handling).
 * Every method has a default that does nothing.
 */
public interface RunListener {

  /** A listener that ignores everything. */
  RunListener NONE = new RunListener() { };

  /**
   * An attempt of {@code step} was planned.
   *
   * @param participants the workers it was planned over
   * @param liveWorkers workers pending, active or leaving now
   */
  default void attemptBegun(long step, int participants, int liveWorkers) { }

  /**
   * Every participant reported with equal checksums: {@code step} is committed.
   *
   * @param loss mean per-query loss of the step
   * @param samples queries trained in the step
   * @param wallTime from the committed attempt's planning to its commit
   * @param liveWorkers workers pending, active or leaving now
   */
  default void stepCommitted(long step, double loss, long samples, Duration wallTime, int liveWorkers) { }

  /**
   * An attempt of {@code step} was abandoned; the same step is planned again (unless the run failed).
   *
   * @param reason the abort reason's wire name, e.g. {@code ABORT_REASON_PEER_DIED}
   * @param liveWorkers workers pending, active or leaving now
   */
  default void attemptAborted(long step, String reason, int liveWorkers) { }

  /**
   * A worker died (its node unreachable or removed, its actor stopped).
   *
   * @param liveWorkers workers pending, active or leaving now
   */
  default void workerDied(String workerId, int liveWorkers) { }

  /** A listener that tells this one, then {@code next}, of every event. */
  default RunListener andThen(RunListener next) {
    RunListener first = this;
    return new RunListener() {
      @Override
      public void attemptBegun(long step, int participants, int liveWorkers) {
        first.attemptBegun(step, participants, liveWorkers);
        next.attemptBegun(step, participants, liveWorkers);
      }

      @Override
      public void stepCommitted(long step, double loss, long samples, Duration wallTime, int liveWorkers) {
        first.stepCommitted(step, loss, samples, wallTime, liveWorkers);
        next.stepCommitted(step, loss, samples, wallTime, liveWorkers);
      }

      @Override
      public void attemptAborted(long step, String reason, int liveWorkers) {
        first.attemptAborted(step, reason, liveWorkers);
        next.attemptAborted(step, reason, liveWorkers);
      }

      @Override
      public void workerDied(String workerId, int liveWorkers) {
        first.workerDied(workerId, liveWorkers);
        next.workerDied(workerId, liveWorkers);
      }
    };
  }
}
