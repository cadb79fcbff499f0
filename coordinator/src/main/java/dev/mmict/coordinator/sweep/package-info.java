/**
 * The pure core of hyperparameter sweeps: the search space and its reproducible sampler, the
 * ASHA early-stopping scheduler, the durable sweep state and the planner that hands workers to
 * trials. Nothing here talks to the cluster; the coordinator actor drives these classes.
 */
package dev.mmict.coordinator.sweep;
