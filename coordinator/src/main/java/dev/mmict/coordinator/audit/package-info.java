/**
 * The sample audit log ({@link dev.mmict.coordinator.audit.SampleAudit}): every committed step's
 * samples and workers, append-only, with the "each sample exactly once per epoch" check.
 */
package dev.mmict.coordinator.audit;
