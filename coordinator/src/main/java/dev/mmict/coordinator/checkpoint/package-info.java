/**
 * Checkpoints of a cluster run as the coordinator sees them: when one is due, which worker writes
 * it, and what became of each request ({@link dev.mmict.coordinator.checkpoint.CheckpointSchedule}).
 * Pure state: no Pekko, no files.
 */
package dev.mmict.coordinator.checkpoint;
