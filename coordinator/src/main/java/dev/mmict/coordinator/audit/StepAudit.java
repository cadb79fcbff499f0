package dev.mmict.coordinator.audit;

import dev.mmict.coordinator.plan.Assignment;
import dev.mmict.coordinator.plan.GlobalBatch;
import dev.mmict.coordinator.plan.MicroBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything one step trained, by whom: one line of the audit log (a step is recorded whole or
 * not at all).
 *
 * @param epoch the step's epoch
 * @param step the step
 * @param microBatches every micro-batch of the step, ascending by id
 */
public record StepAudit(long epoch, long step, List<MicroBatchAudit> microBatches) {

  /** Freezes the list. */
  public StepAudit {
    microBatches = List.copyOf(microBatches);
  }

  /** The audit of {@code batch} trained as {@code assignment} says. */
  public static StepAudit of(GlobalBatch batch, Assignment assignment) {
    if (assignment.microBatchCount() != batch.microBatches().size()) {
      throw new IllegalArgumentException(
          "step " + batch.step() + " has " + batch.microBatches().size()
              + " micro-batches but the assignment covers " + assignment.microBatchCount());
    }
    List<MicroBatchAudit> out = new ArrayList<>();
    for (MicroBatch mb : batch.microBatches()) {
      out.add(
          new MicroBatchAudit(
              mb.id(), assignment.ownerOf(mb.id()), Arrays.stream(mb.samples()).boxed().toList()));
    }
    return new StepAudit(batch.epoch(), batch.step(), out);
  }

  /** One entry per trained sample, in micro-batch order. */
  public List<AuditEntry> entries() {
    List<AuditEntry> out = new ArrayList<>();
    for (MicroBatchAudit mb : microBatches) {
      for (int sample : mb.samples()) {
        out.add(new AuditEntry(epoch, step, mb.microBatch(), sample, mb.worker()));
      }
    }
    return out;
  }
}
