/**
 * Step planning as pure functions of the run plan: {@link dev.mmict.coordinator.plan.StepPlanner}
 * derives each step's global batch (micro-batches and demonstrations) from (seed, epoch, step),
 * {@link dev.mmict.coordinator.plan.Assignment} spreads the micro-batches over live workers.
 */
package dev.mmict.coordinator.plan;
