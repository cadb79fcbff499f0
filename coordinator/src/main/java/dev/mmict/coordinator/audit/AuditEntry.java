package dev.mmict.coordinator.audit;

/**
 * One trained sample: the flat view of the audit log.
 *
 * @param epoch the epoch of the step
 * @param step the step
 * @param microBatch the micro-batch id within the step
 * @param sample the sample index in the training split
 * @param worker the worker that trained it
 */
public record AuditEntry(long epoch, long step, int microBatch, int sample, String worker) {}
