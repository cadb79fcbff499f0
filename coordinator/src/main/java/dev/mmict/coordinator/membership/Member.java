package dev.mmict.coordinator.membership;

/**
 * A snapshot of one worker in the membership.
 *
 * @param id the worker id
 * @param state its state
 * @param synced for a pending worker: whether it already holds the run's state (always true once
 *     it has been active)
 * @param syncedAfterStep the step its state was synchronised after, -1 for the initial state
 *     (before step 0) or when not synced
 */
public record Member(String id, MemberState state, boolean synced, long syncedAfterStep) {}
