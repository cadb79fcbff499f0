package dev.mmict.coordinator.sweep;

/** Where a trial is in its life; the last three are final. */
public enum TrialStatus {
  /** Not started yet, or interrupted by a restart (then it resumes from its checkpoint, if any). */
  PENDING,
  /** Training on a group of workers. */
  RUNNING,
  /** Trained to {@code maxT} (or its step budget) and evaluated. */
  COMPLETED,
  /** Stopped early by the scheduler at a rung. */
  STOPPED,
  /** Ended by an error that retrying will not fix (the reason is kept). */
  FAILED;

  /** Whether the trial will not run again. */
  public boolean isFinal() {
    return this == COMPLETED || this == STOPPED || this == FAILED;
  }
}
