package dev.mmict.coordinator.membership;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The coordinator's bookkeeping of who trains: pure state, driven by the coordinator actor from
 * registrations, leave notices, cluster events and its own step loop.
 *
 * <p><b>Who takes part in step s.</b> At {@link #beginStep(long)} (a step boundary) the
 * membership first lets LEAVING workers go (→ LEFT) and brings in PENDING workers whose state is
 * synchronised (→ ACTIVE); the participants are then the ACTIVE workers, ordered by id (a fixed
 * order that does not depend on who joined first). Nothing changes the participants of a step
 * once it has begun except a death, which aborts it: the coordinator then calls {@link
 * #abortStep(long)} and begins the same step again, which is again a boundary (parameters are
 * unchanged), over the survivors.
 *
 * <p>Not thread-safe: the owning actor serialises access.
 */
public final class Membership {

  private final Clock clock;
  private final TreeMap<String, Entry> members = new TreeMap<>();
  private final List<MembershipEvent> events = new ArrayList<>();
  private long nextStep;
  private Long stepInFlight;
  private List<String> participants = List.of();

  private static final class Entry {
    MemberState state = MemberState.PENDING;
    boolean synced;
    long syncedAfterStep = -1;
  }

  /** An empty membership whose events are stamped by {@code clock}. */
  public Membership(Clock clock) {
    this.clock = clock;
  }

  /**
   * Registers {@code id} as PENDING (not synced). An id that is dead or has left may join again
   * (a restarted process); a live id may not.
   *
   * @throws IllegalStateException when {@code id} is already live (a duplicate worker id)
   */
  public void join(String id) {
    Entry existing = members.get(id);
    if (existing != null && existing.state.isLive()) {
      throw new IllegalStateException(
          "worker id " + id + " is already registered and " + existing.state);
    }
    members.put(id, new Entry());
    record(id, MembershipEvent.Kind.JOINED, "");
  }

  /**
   * Marks pending {@code id} as holding the run's state after {@code afterStep} (-1: the
   * initial state), so it enters at the next boundary. The caller checks the state is current.
   */
  public void synced(String id, long afterStep) {
    Entry e = require(id);
    if (e.state != MemberState.PENDING) {
      throw new IllegalStateException("worker " + id + " is " + e.state + ", not PENDING: nothing to sync");
    }
    if (afterStep != nextStep - 1) {
      throw new IllegalStateException(
          "worker " + id + " synced state after step " + afterStep + " but the next step is "
              + nextStep + ": it needs the state after step " + (nextStep - 1));
    }
    e.synced = true;
    e.syncedAfterStep = afterStep;
    record(id, MembershipEvent.Kind.SYNCED, "after step " + afterStep);
  }

  /**
   * {@code id} announced it leaves. An active worker becomes LEAVING (it finishes the step in
   * flight and leaves at the next boundary); a pending one, which never took part, is LEFT at
   * once. A second notice is ignored.
   *
   * @return true when the worker still takes part in the step in flight (it may exit only after
   *     that step ends)
   */
  public boolean leave(String id, String reason) {
    Entry e = require(id);
    switch (e.state) {
      case ACTIVE -> {
        e.state = MemberState.LEAVING;
        record(id, MembershipEvent.Kind.LEAVING, reason);
      }
      case PENDING -> {
        e.state = MemberState.LEFT;
        record(id, MembershipEvent.Kind.LEFT, reason);
      }
      case LEAVING, LEFT, DEAD -> {
        // Already going or gone: a repeated notice changes nothing.
      }
    }
    return stepInFlight != null && participants.contains(id);
  }

  /**
   * {@code id} died (unreachable, process gone). It becomes DEAD in every state but LEFT; a
   * LEAVING worker that takes part in no step in flight becomes LEFT instead (its leave ended).
   *
   * @return true when it took part in the step in flight: that step must be aborted
   */
  public boolean died(String id, String detail) {
    Entry e = require(id);
    if (e.state == MemberState.DEAD || e.state == MemberState.LEFT) {
      return false;
    }
    boolean inFlight = stepInFlight != null && participants.contains(id);
    if (e.state == MemberState.LEAVING && !inFlight) {
      // It announced its leave and owes no step: its node going is the leave, not a death.
      e.state = MemberState.LEFT;
      record(id, MembershipEvent.Kind.LEFT, "its node left before the next boundary (" + detail + ")");
      return false;
    }
    e.state = MemberState.DEAD;
    record(id, MembershipEvent.Kind.DIED, detail);
    return stepInFlight != null && participants.contains(id);
  }

  /**
   * A step boundary: applies pending transitions and begins {@code step} (the next step, or the
   * step just aborted, again).
   *
   * @return the participants, ordered by id; empty when nobody is active (then no step is in
   *     flight and the caller waits for a worker)
   */
  public List<String> beginStep(long step) {
    if (stepInFlight != null) {
      throw new IllegalStateException(
          "step " + stepInFlight + " is in flight: commit or abort it before beginning step " + step);
    }
    if (step != nextStep) {
      throw new IllegalStateException("the next step is " + nextStep + ", not " + step);
    }
    for (var m : members.entrySet()) {
      Entry e = m.getValue();
      if (e.state == MemberState.LEAVING) {
        e.state = MemberState.LEFT;
        record(m.getKey(), MembershipEvent.Kind.LEFT, "at the boundary before step " + step);
      } else if (e.state == MemberState.PENDING && e.synced) {
        if (e.syncedAfterStep != step - 1) {
          // Synced to a state that a later step has since replaced: needs a new transfer.
          e.synced = false;
          e.syncedAfterStep = -1;
        } else {
          e.state = MemberState.ACTIVE;
          record(m.getKey(), MembershipEvent.Kind.ACTIVATED, "");
        }
      }
    }
    List<String> active = new ArrayList<>();
    members.forEach((id, e) -> {
      if (e.state == MemberState.ACTIVE) {
        active.add(id);
      }
    });
    participants = List.copyOf(active);
    if (!participants.isEmpty()) {
      stepInFlight = step;
    }
    return participants;
  }

  /** The step in flight completed on every participant: the next step is {@code step + 1}. */
  public void commitStep(long step) {
    requireInFlight(step);
    stepInFlight = null;
    participants = List.of();
    nextStep = step + 1;
  }

  /** The step in flight was abandoned; it is begun again at the next {@link #beginStep}. */
  public void abortStep(long step) {
    requireInFlight(step);
    stepInFlight = null;
    participants = List.of();
  }

  /**
   * Sets the next step without running the steps before it: a coordinator resuming from a
   * checkpoint, or a standby rebuilding its view after failover.
   */
  public void resumeAt(long step) {
    if (stepInFlight != null) {
      throw new IllegalStateException("cannot resume at step " + step + " with step " + stepInFlight + " in flight");
    }
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    nextStep = step;
  }

  /** The next step to begin (the step in flight while one is). */
  public long nextStep() {
    return nextStep;
  }

  /** The step in flight, if any. */
  public OptionalLong stepInFlight() {
    return stepInFlight == null ? OptionalLong.empty() : OptionalLong.of(stepInFlight);
  }

  /** The participants of the step in flight, ordered by id; empty when none is in flight. */
  public List<String> participants() {
    return participants;
  }

  /** The state of {@code id}, if it ever registered. */
  public Optional<MemberState> state(String id) {
    Entry e = members.get(id);
    return e == null ? Optional.empty() : Optional.of(e.state);
  }

  /** Every worker ever registered (latest incarnation), ordered by id. */
  public List<Member> members() {
    List<Member> out = new ArrayList<>();
    members.forEach((id, e) -> out.add(new Member(id, e.state, e.synced, e.syncedAfterStep)));
    return out;
  }

  /** Workers in {@code state}, ordered by id. */
  public List<String> inState(MemberState state) {
    List<String> out = new ArrayList<>();
    members.forEach((id, e) -> {
      if (e.state == state) {
        out.add(id);
      }
    });
    return out;
  }

  /** Every event, oldest first. */
  public List<MembershipEvent> events() {
    return Collections.unmodifiableList(events);
  }

  /** The latest {@code max} events, oldest first. */
  public List<MembershipEvent> recentEvents(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must be >= 0, got " + max);
    }
    return List.copyOf(events.subList(Math.max(0, events.size() - max), events.size()));
  }

  private Entry require(String id) {
    Entry e = members.get(id);
    if (e == null) {
      throw new IllegalArgumentException("unknown worker " + id);
    }
    return e;
  }

  private void requireInFlight(long step) {
    if (stepInFlight == null || stepInFlight != step) {
      throw new IllegalStateException(
          "step " + step + " is not in flight (in flight: " + (stepInFlight == null ? "none" : stepInFlight) + ")");
    }
  }

  private void record(String id, MembershipEvent.Kind kind, String detail) {
    events.add(new MembershipEvent(clock.instant(), id, kind, nextStep, detail == null ? "" : detail));
  }
}
