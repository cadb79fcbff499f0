package dev.mmict.coordinator.membership;

/** Where a worker stands in the run's membership (mirrors the wire's WorkerState). */
public enum MemberState {
  /** Registered; enters at the first step boundary after its state is synchronised. */
  PENDING,
  /** Takes part in steps. */
  ACTIVE,
  /** Announced its departure: finishes the step in flight, takes part in no later one. */
  LEAVING,
  /** Left gracefully at a step boundary (final). */
  LEFT,
  /** Died without leaving (final). */
  DEAD;

  /** Whether the worker is still around (pending, active or leaving). */
  public boolean isLive() {
    return this == PENDING || this == ACTIVE || this == LEAVING;
  }
}
