/**
 * Who trains which step: {@link dev.mmict.coordinator.membership.Membership} keeps worker states
 * (pending, active, leaving, left, dead) and applies joins and leaves only at step boundaries.
 */
package dev.mmict.coordinator.membership;
