/**
 * Coordinator failover: the small durable run state a coordinator writes after every commit
 * ({@link dev.mmict.coordinator.recovery.RunStateFile}) and the pure rebuild of where a run
 * stands from that state and the sample audit ({@link dev.mmict.coordinator.recovery.Recovery}),
 * which a standby coordinator uses when the singleton moves to it.
 */
package dev.mmict.coordinator.recovery;
