package dev.mmict.coordinator.cluster;

import java.util.Objects;
import java.util.function.LongToDoubleFunction;

/**
 * What the coordinator of one run needs besides the step planner: how long the run is, which
 * model its workers must hold, the learning rate of every step, and its patience.
 *
 * @param runId names the run in logs and plan ids
 * @param maxSteps the run ends after this many committed steps
 * @param modelFingerprint every worker's replica must report this fingerprint
 * @param learningRate the learning rate of step s (the schedule lives with the caller: the
 *     coordinator never depends on the model code)
 * @param minWorkersToStart step 0 is not planned before this many workers hold the initial state
 * @param maxAttemptsPerStep a step aborted this many times ends the run as failed
 */
public record RunSettings(
    String runId,
    long maxSteps,
    String modelFingerprint,
    LongToDoubleFunction learningRate,
    int minWorkersToStart,
    int maxAttemptsPerStep) {

  /** Checks the values. */
  public RunSettings {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(modelFingerprint, "modelFingerprint");
    Objects.requireNonNull(learningRate, "learningRate");
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
    }
    if (modelFingerprint.isBlank()) {
      throw new IllegalArgumentException("the run's model fingerprint is empty");
    }
    if (minWorkersToStart < 1) {
      throw new IllegalArgumentException("minWorkersToStart must be >= 1, got " + minWorkersToStart);
    }
    if (maxAttemptsPerStep < 1) {
      throw new IllegalArgumentException("maxAttemptsPerStep must be >= 1, got " + maxAttemptsPerStep);
    }
  }
}
