package dev.mmict.coordinator.audit;

import java.util.List;
import java.util.Objects;

/**
 * One micro-batch of a committed step in the audit log: which worker trained which samples.
 *
 * @param microBatch the micro-batch id within its step
 * @param worker the worker that trained it
 * @param samples the query samples' indices in the training split
 */
public record MicroBatchAudit(int microBatch, String worker, List<Integer> samples) {

  /** Checks for nulls and freezes the list. */
  public MicroBatchAudit {
    Objects.requireNonNull(worker, "worker");
    samples = List.copyOf(samples);
  }
}
