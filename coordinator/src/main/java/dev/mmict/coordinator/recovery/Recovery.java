package dev.mmict.coordinator.recovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Rebuilds where a run stands for a coordinator that takes it over, from the two durable records
 * the previous coordinator kept: the sample audit (the authority on which steps are committed: a
 * step is committed once its audit line is on disk, before any worker hears of it) and the run
 * state (the parameters' checksum after that step, the losses, the abort count, the incarnation).
 *
 * <p>The commit writes the audit first, then the run state, so the run state is either at the
 * audit's last step or one step behind it (the previous coordinator died between the two
 * writes). In the second case the checksum after the last step is unknown here; the driver takes
 * it from the workers that re-register at that step. Anything else (the run state ahead of the
 * audit, or more than one step behind, another run's or another model's state, an audit without a
 * run state) is an error naming both files. Pure: no I/O.
 */
public final class Recovery {

  private Recovery() { }

  /**
   * The resume point of the coordinator taking over run {@code runId}.
   *
   * @param state the run state, if the file exists
   * @param auditLastStep the audit's last committed step, if any
   * @param where names the files in error messages, e.g. {@code "audit a.jsonl, run state a.jsonl.state.json"}
   * @throws RecoveryException when the records do not fit together
   */
  public static ResumePoint takeOver(String runId, String modelFingerprint, Optional<RunState> state,
      OptionalLong auditLastStep, String where) {
    long audited = auditLastStep.orElse(-1);
    if (state.isEmpty()) {
      if (audited >= 0) {
        throw new RecoveryException("the audit records steps up to " + audited
            + " but there is no run state beside it (" + where + "): it was not written by a coordinator of"
            + " this build, so the parameters' checksum after step " + audited + " is unknown");
      }
      // The previous coordinator died before writing anything: the run starts from step 0.
      return new ResumePoint(1, 0, "", 0, List.of(), RunState.RUNNING, "");
    }
    RunState s = state.get();
    if (!s.runId().equals(runId)) {
      throw new RecoveryException("the run state belongs to run '" + s.runId() + "', not to run '" + runId
          + "' (" + where + ")");
    }
    if (!s.modelFingerprint().equals(modelFingerprint)) {
      throw new RecoveryException("the run state was written for model fingerprint " + shortSha(s.modelFingerprint())
          + " but this coordinator's is " + shortSha(modelFingerprint) + " (" + where + ")");
    }
    long recorded = s.lastCommittedStep();
    long incarnation = s.incarnation() + 1;
    if (recorded == audited) {
      return new ResumePoint(incarnation, audited + 1, s.parametersSha256(), s.stepsAborted(), s.losses(),
          s.outcome(), s.detail(), s.checkpointStepsDone(), s.checkpoint());
    }
    if (recorded == audited - 1) {
      // Died between the audit's commit and the run state's: the step is committed, its checksum unknown here.
      List<Double> losses = new ArrayList<>(s.losses());
      losses.add(Double.NaN);
      return new ResumePoint(incarnation, audited + 1, "", s.stepsAborted(), losses, RunState.RUNNING, "",
          s.checkpointStepsDone(), s.checkpoint());
    }
    throw new RecoveryException("the audit's last committed step is " + audited + " but the run state's is "
        + recorded + " (" + where + "); the run state is written right after each audit commit, so it can be at"
        + " most one step behind and never ahead");
  }

  private static String shortSha(String hex) {
    return hex.length() > 12 ? hex.substring(0, 12) + "…" : hex;
  }
}
