package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeldWorkersTest {

  private static final long S = 1_000_000_000L;

  @Test
  void workerSecondsAreTheHeldIntervalsOfEveryWorker() {
    HeldWorkers held = new HeldWorkers();
    held.hold("pool-1", 10 * S);
    held.hold("pool-2", 10 * S);
    held.hold("pool-3", 14 * S); // a top-up 4 s later
    held.release("pool-2", 12 * S); // died after 2 s
    // pool-1: 20 - 10 = 10, pool-2: 2, pool-3: 20 - 14 = 6
    assertEquals(18.0, held.seconds(20 * S), 1e-9);
    assertEquals(List.of("pool-1", "pool-2", "pool-3"), held.everHeld());
    assertTrue(held.holds("pool-1"));
    assertFalse(held.holds("pool-2"));
  }

  @Test
  void holdingTwiceOrReleasingAnUnheldWorkerChangesNothing() {
    HeldWorkers held = new HeldWorkers();
    held.hold("trial-jvm", 5 * S);
    held.hold("trial-jvm", 7 * S);
    held.release("pool-9", 8 * S);
    assertEquals(4.0, held.seconds(9 * S), 1e-9);
    assertEquals(List.of("trial-jvm"), held.everHeld());
  }

  @Test
  void aWorkerHeldAgainAfterBeingLetGoCountsBothIntervals() {
    HeldWorkers held = new HeldWorkers();
    held.hold("pool-1", 0);
    held.release("pool-1", 3 * S);
    held.hold("pool-1", 5 * S);
    assertEquals(3.0 + 2.5, held.seconds(7 * S + S / 2), 1e-9);
    assertEquals(List.of("pool-1"), held.everHeld());
  }
}
