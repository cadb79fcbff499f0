package dev.mmict.coordinator.cluster;

import dev.mmict.coordinator.checkpoint.CheckpointSchedule;
import dev.mmict.coordinator.membership.MembershipEvent;
import java.util.List;
import java.util.Map;

/**
 * How a run ended, as the coordinator saw it: the answer an embedded cluster or a test waits for.
 *
 * @param completed true when every planned step was committed
 * @param detail why it ended (the error when it failed)
 * @param stepsCommitted steps committed
 * @param stepsAborted step attempts abandoned (deaths, exchange failures, timeouts)
 * @param parameterSha256 hex sha256 of the trainable parameters after the last committed step,
 *     as every replica reported it; empty when no step was committed
 * @param losses mean per-query loss of every committed step, in step order
 * @param events every membership event, oldest first
 * @param processIds worker id → the process id of its latest registration
 * @param aborts every abandoned attempt, oldest first (why, and which worker was at fault)
 * @param transfers every state transfer to a joining worker, oldest first
 * @param checkpoints every checkpoint request's outcome, oldest first (empty without checkpoints)
 * @param lastCheckpoint directory of the newest checkpoint written (or resumed from); empty: none
 */
public record RunSummary(
    boolean completed,
    String detail,
    long stepsCommitted,
    long stepsAborted,
    String parameterSha256,
    List<Double> losses,
    List<MembershipEvent> events,
    Map<String, Long> processIds,
    List<AbortedAttempt> aborts,
    List<StateTransfer> transfers,
    List<CheckpointSchedule.Outcome> checkpoints,
    String lastCheckpoint) {

  /** Freezes the collections. */
  public RunSummary {
    losses = List.copyOf(losses);
    events = List.copyOf(events);
    processIds = Map.copyOf(processIds);
    aborts = List.copyOf(aborts);
    transfers = List.copyOf(transfers);
    checkpoints = List.copyOf(checkpoints);
    lastCheckpoint = lastCheckpoint == null ? "" : lastCheckpoint;
  }

  /**
   * One abandoned step attempt; the same step was planned again afterwards.
   *
   * @param step the step
   * @param planId the attempt's plan id
   * @param reason the wire's AbortReason name, e.g. {@code ABORT_REASON_EXCHANGE_FAILED}
   * @param failedWorker the worker at fault, empty when unknown
   * @param detail the reason for a human
   */
  public record AbortedAttempt(long step, String planId, String reason, String failedWorker, String detail) { }

  /**
   * One state transfer from a live worker to a joining one.
   *
   * @param transferId its id
   * @param joiner the worker that received the state
   * @param donor the worker that sent it
   * @param afterStep the state was the one after this step
   * @param outcome {@code installed}, {@code failed} or {@code cancelled}
   * @param detail why it failed or was cancelled; empty when installed
   */
  public record StateTransfer(String transferId, String joiner, String donor, long afterStep, String outcome,
      String detail) { }
}
