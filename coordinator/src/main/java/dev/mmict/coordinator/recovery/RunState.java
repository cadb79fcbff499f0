package dev.mmict.coordinator.recovery;

import java.util.List;
import java.util.Objects;

/**
 * What a coordinator must remember about its run beyond the sample audit, written atomically at
 * its start and after every commit so that a coordinator taking over can go on (see {@link
 * Recovery}).
 *
 * @param format the file format's version, {@value #FORMAT}
 * @param runId the run's id; a standby refuses the state of another run
 * @param modelFingerprint the run's model fingerprint; a standby refuses another model's state
 * @param incarnation 0 for the coordinator that started the run, +1 for every takeover; plan ids
 *     of incarnation k start above {@code k << 32}, so they grow across takeovers
 * @param lastCommittedStep the last committed step, -1 before the first commit
 * @param parametersSha256 hex sha256 of the parameters after {@code lastCommittedStep}, empty
 *     before the first commit
 * @param stepsAborted step attempts abandoned so far, over every incarnation
 * @param losses mean loss of every committed step, in step order (NaN where unknown)
 * @param outcome {@value #RUNNING}, {@value #COMPLETED} or {@value #FAILED}
 * @param detail why the run ended; empty while it runs
 * @param checkpointStepsDone steps done of the newest checkpoint a worker acknowledged (0: none)
 * @param checkpoint that checkpoint's directory (empty: none)
 */
public record RunState(int format, String runId, String modelFingerprint, long incarnation, long lastCommittedStep,
    String parametersSha256, long stepsAborted, List<Double> losses, String outcome, String detail,
    long checkpointStepsDone, String checkpoint) {

  /** A run state that records no checkpoint. */
  public RunState(int format, String runId, String modelFingerprint, long incarnation, long lastCommittedStep,
      String parametersSha256, long stepsAborted, List<Double> losses, String outcome, String detail) {
    this(format, runId, modelFingerprint, incarnation, lastCommittedStep, parametersSha256, stepsAborted, losses,
        outcome, detail, 0, "");
  }

  /** The current format version. */
  public static final int FORMAT = 1;
  /** The run goes on. */
  public static final String RUNNING = "running";
  /** Every step was committed. */
  public static final String COMPLETED = "completed";
  /** The run ended without finishing. */
  public static final String FAILED = "failed";

  /** Checks the values and freezes the list. */
  public RunState {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(modelFingerprint, "modelFingerprint");
    parametersSha256 = parametersSha256 == null ? "" : parametersSha256;
    detail = detail == null ? "" : detail;
    checkpoint = checkpoint == null ? "" : checkpoint;
    losses = losses == null ? List.of() : List.copyOf(losses);
    if (!List.of(RUNNING, COMPLETED, FAILED).contains(outcome)) {
      throw new IllegalArgumentException("run state outcome must be running, completed or failed, got '" + outcome
          + "'");
    }
    if (lastCommittedStep < -1 || incarnation < 0 || stepsAborted < 0 || checkpointStepsDone < 0) {
      throw new IllegalArgumentException("run state has a negative count: last step " + lastCommittedStep
          + ", incarnation " + incarnation + ", steps aborted " + stepsAborted + ", checkpoint steps "
          + checkpointStepsDone);
    }
  }

  /** The state of a run nobody has trained yet, for the coordinator of incarnation {@code incarnation}. */
  public static RunState start(String runId, String modelFingerprint, long incarnation) {
    return new RunState(FORMAT, runId, modelFingerprint, incarnation, -1, "", 0, List.of(), RUNNING, "");
  }
}
