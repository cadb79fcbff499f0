package dev.mmict.coordinator.cluster;

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
 */
public record RunSummary(
    boolean completed,
    String detail,
    long stepsCommitted,
    long stepsAborted,
    String parameterSha256,
    List<Double> losses,
    List<MembershipEvent> events,
    Map<String, Long> processIds) {

  /** Freezes the collections. */
  public RunSummary {
    losses = List.copyOf(losses);
    events = List.copyOf(events);
    processIds = Map.copyOf(processIds);
  }
}
