package dev.mmict.coordinator.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.coordinator.membership.MembershipEvent.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MembershipTest {

  /** A clock the test moves by hand. */
  private static final class StepClock extends Clock {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private StepClock clock;
  private Membership m;

  @BeforeEach
  void threeActiveWorkers() {
    clock = new StepClock();
    m = new Membership(clock);
    for (String w : List.of("w3", "w1", "w2")) {
      m.join(w);
      m.synced(w, -1);
    }
  }

  @Test
  void syncedPendingWorkersEnterAtTheFirstBoundaryOrderedById() {
    assertEquals(Optional.of(MemberState.PENDING), m.state("w1"));
    assertEquals(List.of("w1", "w2", "w3"), m.beginStep(0));
    assertEquals(Optional.of(MemberState.ACTIVE), m.state("w3"));
    assertEquals(0, m.stepInFlight().getAsLong());
  }

  @Test
  void aJoinerWaitsForItsStateAndTheNextBoundary() {
    m.beginStep(0);
    m.join("w4");
    assertEquals(List.of("w1", "w2", "w3"), m.participants(), "joining mid-step changes nothing");
    m.commitStep(0);
    assertEquals(List.of("w1", "w2", "w3"), m.beginStep(1), "not synced yet: not in step 1");
    m.commitStep(1);
    assertThrows(IllegalStateException.class, () -> m.synced("w4", 0), "state after step 0 is stale");
    m.synced("w4", 1);
    assertEquals(List.of("w1", "w2", "w3", "w4"), m.beginStep(2));
  }

  @Test
  void aStateSyncedBeforeAnotherStepCommittedIsNotEnough() {
    m.beginStep(0);
    m.commitStep(0);
    m.beginStep(1);
    m.join("w4");
    m.synced("w4", 0); // transferred while step 1 ran: the state after step 0
    m.commitStep(1);
    assertEquals(List.of("w1", "w2", "w3"), m.beginStep(2));
    assertEquals(Optional.of(MemberState.PENDING), m.state("w4"));
    assertFalse(m.members().stream().filter(x -> x.id().equals("w4")).findFirst().orElseThrow().synced());
  }

  @Test
  void aLeaverFinishesTheStepInFlightAndLeavesAtTheBoundary() {
    m.beginStep(0);
    assertTrue(m.leave("w2", "SIGTERM"), "w2 still owes step 0");
    assertEquals(Optional.of(MemberState.LEAVING), m.state("w2"));
    assertEquals(List.of("w1", "w2", "w3"), m.participants());
    m.commitStep(0);
    assertEquals(List.of("w1", "w3"), m.beginStep(1));
    assertEquals(Optional.of(MemberState.LEFT), m.state("w2"));
    assertFalse(m.leave("w2", "again"), "a repeated notice is harmless");
  }

  @Test
  void aLeaveBetweenStepsTakesEffectAtTheNextBoundary() {
    m.beginStep(0);
    m.commitStep(0);
    assertFalse(m.leave("w1", "operator"), "no step in flight");
    assertEquals(List.of("w2", "w3"), m.beginStep(1));
  }

  @Test
  void aDeathMidStepAbortsItAndTheSameStepIsReplannedOverSurvivors() {
    m.beginStep(0);
    m.commitStep(0);
    m.beginStep(1);
    assertTrue(m.died("w2", "unreachable"));
    assertEquals(Optional.of(MemberState.DEAD), m.state("w2"));
    m.abortStep(1);
    assertThrows(IllegalStateException.class, () -> m.beginStep(2), "step 1 was not committed");
    assertEquals(List.of("w1", "w3"), m.beginStep(1));
    m.commitStep(1);
    assertEquals(2, m.nextStep());
    assertFalse(m.died("w2", "again"));
  }

  @Test
  void aDeathOfANonParticipantAbortsNothing() {
    m.beginStep(0);
    m.join("w9");
    assertFalse(m.died("w9", "crashed while pending"));
  }

  @Test
  void aDeadWorkerMayRejoinButALiveIdIsADuplicate() {
    m.beginStep(0);
    assertThrows(IllegalStateException.class, () -> m.join("w1"));
    m.died("w1", "kill -9");
    m.abortStep(0);
    m.join("w1");
    assertEquals(Optional.of(MemberState.PENDING), m.state("w1"));
    m.synced("w1", -1);
    assertEquals(List.of("w1", "w2", "w3"), m.beginStep(0));
  }

  @Test
  void eventsCarryTimeKindAndStep() {
    m.beginStep(0);
    clock.now = clock.now.plus(Duration.ofSeconds(5));
    m.died("w3", "unreachable");
    m.abortStep(0);
    List<MembershipEvent> recent = m.recentEvents(2);
    assertEquals(Kind.ACTIVATED, recent.get(0).kind());
    MembershipEvent death = recent.get(1);
    assertEquals(Kind.DIED, death.kind());
    assertEquals("w3", death.workerId());
    assertEquals(0, death.step());
    assertEquals(Instant.parse("2025-01-01T00:00:05Z"), death.time());
    assertEquals("unreachable", death.detail());
    // 3 × (joined, synced) + 3 activated + 1 died
    assertEquals(10, m.events().size());
    assertEquals(Kind.JOINED, m.events().get(0).kind());
  }

  @Test
  void nobodyActiveMeansNoStepInFlight() {
    Membership empty = new Membership(clock);
    assertEquals(List.of(), empty.beginStep(0));
    assertTrue(empty.stepInFlight().isEmpty());
    empty.join("a");
    empty.synced("a", -1);
    assertEquals(List.of("a"), empty.beginStep(0));
  }

  @Test
  void resumeAtSetsTheNextStep() {
    Membership fresh = new Membership(clock);
    fresh.resumeAt(40);
    fresh.join("a");
    fresh.synced("a", 39);
    assertEquals(List.of("a"), fresh.beginStep(40));
  }
}
