package dev.mmict.coordinator.recovery;

import java.util.List;

/**
 * Where a coordinator starts: the step it plans first and what it knows of the steps before it.
 *
 * @param incarnation this coordinator's incarnation (0: it starts the run)
 * @param nextStep the first step it plans (the audit's last committed step + 1)
 * @param parametersSha256 hex sha256 of the parameters after {@code nextStep - 1}; empty when
 *     unknown (nothing committed, or the previous coordinator died between the audit's commit and
 *     the run state's: then the re-registering workers' reports are adopted, see {@link
 *     Recovery})
 * @param stepsAborted step attempts abandoned before this coordinator
 * @param losses mean loss of every step before {@code nextStep} (NaN where unknown)
 * @param outcome {@link RunState#RUNNING}, or how the run already ended
 * @param detail why the run ended; empty while it runs
 * @param checkpointStepsDone steps done of the newest checkpoint written (0: none known)
 * @param checkpoint that checkpoint's directory (empty: none known)
 */
public record ResumePoint(long incarnation, long nextStep, String parametersSha256, long stepsAborted,
    List<Double> losses, String outcome, String detail, long checkpointStepsDone, String checkpoint) {

  /** A resume point that knows of no checkpoint. */
  public ResumePoint(long incarnation, long nextStep, String parametersSha256, long stepsAborted,
      List<Double> losses, String outcome, String detail) {
    this(incarnation, nextStep, parametersSha256, stepsAborted, losses, outcome, detail, 0, "");
  }

  /** Freezes the list. */
  public ResumePoint {
    losses = List.copyOf(losses);
    checkpoint = checkpoint == null ? "" : checkpoint;
  }

  /**
   * The start of a run resumed from a checkpoint of {@code stepsDone} steps at {@code dir} whose
   * parameters have sha256 {@code parametersSha256} (hex): the coordinator of incarnation 0 plans
   * step {@code stepsDone} first, and every worker that loaded the checkpoint is synced at once.
   */
  public static ResumePoint fromCheckpoint(long stepsDone, String parametersSha256, String dir) {
    if (stepsDone < 1 || parametersSha256 == null || parametersSha256.isEmpty()) {
      throw new IllegalArgumentException("a checkpoint to resume from has steps done >= 1 and a parameter checksum,"
          + " got " + stepsDone + " and '" + parametersSha256 + "'");
    }
    return new ResumePoint(0, stepsDone, parametersSha256, 0, List.of(), RunState.RUNNING, "", stepsDone, dir);
  }

  /** The start of a new run by the coordinator of incarnation 0. */
  public static ResumePoint fresh() {
    return new ResumePoint(0, 0, "", 0, List.of(), RunState.RUNNING, "");
  }

  /** True for a coordinator that took over a run (incarnation above 0). */
  public boolean isTakeover() {
    return incarnation > 0;
  }
}
