package dev.mmict.coordinator.membership;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of membership, as recorded by {@link Membership}.
 *
 * @param time when it was recorded (the membership's clock)
 * @param workerId the worker concerned
 * @param kind what happened
 * @param step the step in flight, or the next step to plan when none is in flight
 * @param detail free text (e.g. a leave reason), never null
 */
public record MembershipEvent(Instant time, String workerId, Kind kind, long step, String detail) {

  /** What happened to a member (mirrors the wire's MembershipEventKind). */
  public enum Kind {
    /** Registered and pending. */
    JOINED,
    /** A pending worker holds the run's state. */
    SYNCED,
    /** A pending worker entered at a step boundary. */
    ACTIVATED,
    /** Announced that it leaves. */
    LEAVING,
    /** Left at a step boundary (or before it ever took part). */
    LEFT,
    /** Died. */
    DIED
  }

  /** Checks for nulls. */
  public MembershipEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }
}
