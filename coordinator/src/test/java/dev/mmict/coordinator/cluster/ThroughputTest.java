package dev.mmict.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Queries per second over the last commits, by hand-computed figures. */
class ThroughputTest {

  private static Instant at(double seconds) {
    return Instant.ofEpochMilli(1_000_000 + Math.round(seconds * 1000));
  }

  @Test
  void zeroBeforeTheFirstCommit() {
    Throughput t = new Throughput(2);
    assertEquals(0, t.perSecond());
    t.attemptBegun(at(0));
    assertEquals(0, t.perSecond());
  }

  @Test
  void untilTheWindowIsFullTheRunsStartIsTheReference() {
    Throughput t = new Throughput(2);
    t.attemptBegun(at(0));
    t.attemptBegun(at(1)); // a later attempt does not move the start
    t.committed(at(2), 8);
    assertEquals(8 / 2.0, t.perSecond(), 1e-9);
    t.committed(at(4), 8);
    assertEquals(16 / 4.0, t.perSecond(), 1e-9);
  }

  @Test
  void aFullWindowCountsOnlyItsCommitsFromTheCommitBeforeThem() {
    Throughput t = new Throughput(2);
    t.attemptBegun(at(0));
    t.committed(at(1), 100); // slow start, then it drops out of the window
    t.committed(at(2), 8);
    t.committed(at(3), 8);
    // window: commits at 2 s and 3 s, measured from the commit at 1 s
    assertEquals(16 / 2.0, t.perSecond(), 1e-9);
    t.committed(at(7), 4);
    assertEquals(12 / 5.0, t.perSecond(), 1e-9);
  }

  @Test
  void noElapsedTimeGivesZeroAndAnEmptyWindowIsRefused() {
    Throughput t = new Throughput(1);
    t.committed(at(5), 8);
    assertEquals(0, t.perSecond(), "one commit and no start: no time span to divide by");
    assertThrows(IllegalArgumentException.class, () -> new Throughput(0));
  }
}
