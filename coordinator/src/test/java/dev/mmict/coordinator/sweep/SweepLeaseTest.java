package dev.mmict.coordinator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep lease with a hand-moved clock: fresh while renewed, stale after the timeout without a
 * renewal (by the standby's own clock, or by the holder's wall clock for a process starting now),
 * stale at once when its holder on this host is gone, and fenced by the term: a former holder can
 * neither renew nor write the sweep state once a standby took over.
 */
class SweepLeaseTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  /** Both clocks, moved by hand; the wall clock may be set apart to model another machine's. */
  private static final class FakeClock implements SweepLeaseKeeper.Clock {
    long nanos = 1_000_000_000L;
    long millis = 1_700_000_000_000L;

    void advance(double seconds) {
      nanos += (long) (seconds * 1e9);
      millis += (long) (seconds * 1e3);
    }

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public long currentTimeMillis() {
      return millis;
    }
  }

  private final FakeClock clock = new FakeClock();
  private final Set<Long> alive = new HashSet<>(List.of(100L, 200L, 300L));

  private SweepLeaseKeeper keeper(String host, long pid) {
    return new SweepLeaseKeeper(dir, host, pid, TIMEOUT, clock, alive::contains);
  }

  private static SweepLease take(SweepLeaseKeeper k, SweepLeaseKeeper.Verdict v) throws IOException {
    return k.acquire(v).orElseThrow(() -> new AssertionError("could not take the lease: " + v));
  }

  @Test
  void aFirstHolderTakesTermOneAndOthersSeeItFreshWhileItRenews() throws IOException {
    SweepLeaseKeeper a = keeper("host-a", 100);
    SweepLeaseKeeper.Verdict none = a.judgeAtStart();
    assertEquals(SweepLeaseKeeper.Kind.FREE, none.kind());
    SweepLease lease = take(a, none);
    assertEquals(1, lease.term());
    assertEquals("host-a process 100", lease.holder());
    assertEquals(Optional.of(lease), keeper("host-b", 200).read(), "written to the file");

    SweepLeaseKeeper b = keeper("host-b", 200);
    SweepLeaseKeeper.Verdict fresh = b.judgeAtStart();
    assertEquals(SweepLeaseKeeper.Kind.FRESH, fresh.kind());
    assertTrue(fresh.reason().contains("host-a process 100") && fresh.reason().contains("term 1"), fresh.reason());
    assertThrows(IllegalArgumentException.class, () -> b.acquire(fresh));

    // A standby polling for 40 s while the holder renews every 5 s never sees it stale.
    assertEquals(SweepLeaseKeeper.Kind.FRESH, b.watch().kind());
    for (int i = 0; i < 8; i++) {
      clock.advance(5);
      a.renew();
      assertEquals(SweepLeaseKeeper.Kind.FRESH, b.watch().kind(), "after renewal " + (i + 1));
      assertEquals(SweepLeaseKeeper.Kind.FRESH, keeper("host-c", 300).judgeAtStart().kind());
    }
    assertEquals(8, a.held().orElseThrow().renewal());
  }

  @Test
  void aStandbyFindsTheLeaseStaleOnlyAfterTheTimeoutWithoutARenewalOnItsOwnClock() throws IOException {
    SweepLeaseKeeper a = keeper("host-a", 100);
    take(a, a.judgeAtStart());
    SweepLeaseKeeper b = keeper("host-b", 200);
    assertEquals(SweepLeaseKeeper.Kind.FRESH, b.watch().kind());
    clock.advance(10);
    a.renew(); // the last renewal: the holder dies here
    assertEquals(SweepLeaseKeeper.Kind.FRESH, b.watch().kind());
    clock.advance(14.9);
    assertEquals(SweepLeaseKeeper.Kind.FRESH, b.watch().kind(), "14.9 s without a renewal");
    clock.advance(0.1);
    SweepLeaseKeeper.Verdict stale = b.watch();
    assertEquals(SweepLeaseKeeper.Kind.STALE, stale.kind(), "15 s without a renewal");
    assertTrue(stale.reason().contains("has not renewed it for 15.0 s"), stale.reason());

    // The standby's judgement does not trust the holder's wall clock: a holder whose clock runs
    // an hour behind but renews is fresh to it.
    SweepLeaseKeeper c = keeper("host-c", 300);
    SweepLease b2 = take(b, stale);
    assertEquals(2, b2.term());
    clock.millis -= 3_600_000L;
    b.renew();
    assertEquals(SweepLeaseKeeper.Kind.FRESH, c.watch().kind());
    clock.advance(5);
    b.renew();
    assertEquals(SweepLeaseKeeper.Kind.FRESH, c.watch().kind());
  }

  @Test
  void aProcessStartingNowJudgesByTheWallClockOrByTheHolderProcessOfThisHost() throws IOException {
    SweepLeaseKeeper a = keeper("host-a", 100);
    take(a, a.judgeAtStart());
    clock.advance(14);
    assertEquals(SweepLeaseKeeper.Kind.FRESH, keeper("host-b", 200).judgeAtStart().kind());
    clock.advance(1);
    SweepLeaseKeeper.Verdict old = keeper("host-b", 200).judgeAtStart();
    assertEquals(SweepLeaseKeeper.Kind.STALE, old.kind());
    assertTrue(old.reason().contains("last renewed it 15.0 s ago"), old.reason());

    a.renew();
    assertEquals(SweepLeaseKeeper.Kind.FRESH, keeper("host-a", 300).judgeAtStart().kind(), "holder alive");
    alive.remove(100L); // kill -9 of the holder; a restart on the same host need not wait
    SweepLeaseKeeper.Verdict gone = keeper("host-a", 300).judgeAtStart();
    assertEquals(SweepLeaseKeeper.Kind.STALE, gone.kind());
    assertTrue(gone.reason().contains("no longer running on this host"), gone.reason());
    assertEquals(SweepLeaseKeeper.Kind.FRESH, keeper("host-b", 200).judgeAtStart().kind(),
        "another host cannot see the process: it waits for the timeout");
    assertEquals(SweepLeaseKeeper.Kind.FRESH, keeper("host-a", 300).watch().kind(),
        "a standby judges by renewals only, on any host");
  }

  @Test
  void aReleasedLeaseIsFreeAndTheNextHolderTakesTheNextTerm() throws IOException {
    SweepLeaseKeeper a = keeper("host-a", 100);
    take(a, a.judgeAtStart());
    a.renew();
    assertTrue(a.release());
    assertFalse(a.release(), "released once");
    assertEquals(Optional.empty(), a.held());
    SweepLeaseKeeper b = keeper("host-b", 200);
    SweepLeaseKeeper.Verdict free = b.judgeAtStart();
    assertEquals(SweepLeaseKeeper.Kind.FREE, free.kind());
    assertEquals(SweepLeaseKeeper.Kind.FREE, b.watch().kind());
    assertEquals(2, take(b, free).term());
  }

  @Test
  void aLeaseRenewedAfterTheVerdictIsNotTakenOver() throws IOException {
    SweepLeaseKeeper a = keeper("host-a", 100);
    take(a, a.judgeAtStart());
    SweepLeaseKeeper b = keeper("host-b", 200);
    b.watch();
    clock.advance(15);
    SweepLeaseKeeper.Verdict stale = b.watch();
    assertEquals(SweepLeaseKeeper.Kind.STALE, stale.kind());
    a.renew(); // the holder was only slow
    assertEquals(Optional.empty(), b.acquire(stale));
    assertEquals(1, b.read().orElseThrow().term());
    assertEquals(SweepLeaseKeeper.Kind.FRESH, b.watch().kind(), "the renewal starts its clock again");
  }

  @Test
  void aFormerHolderIsFencedByTheHigherTermInTheLeaseAndInTheStateStore() throws IOException {
    SweepLeaseKeeper a = keeper("host-a", 100);
    SweepLease a1 = take(a, a.judgeAtStart());
    SweepStateStore storeA = new SweepStateStore(dir, a1.term(), a1.holder());
    List<TrialSpec> specs = List.of(new TrialSpec(0, "trial-000", Map.of()));
    storeA.openOrCreate("fp", specs);

    // A is paused; B watches the lease go stale and takes over with term 2, then saves the state.
    SweepLeaseKeeper b = keeper("host-b", 200);
    b.watch();
    clock.advance(16);
    SweepLease b2 = take(b, b.watch());
    assertEquals(2, b2.term());
    SweepStateStore storeB = new SweepStateStore(dir, b2.term(), b2.holder());
    SweepState resumed = storeB.openOrCreate("fp", specs);
    byte[] before = Files.readAllBytes(storeB.file());

    // A wakes up: its renewal and its save are refused, and neither file changes.
    StaleTermException renew = assertThrows(StaleTermException.class, a::renew);
    assertTrue(renew.getMessage().contains("taken over by host-b process 200 in term 2"), renew.getMessage());
    assertEquals(Optional.empty(), a.held());
    SweepState finishedByA = resumed.with(resumed.trial("trial-000").withStatus(TrialStatus.COMPLETED));
    StaleTermException save = assertThrows(StaleTermException.class, () -> storeA.save(finishedByA));
    assertTrue(save.getMessage().contains("written in lease term 2 by host-b process 200"), save.getMessage());
    assertTrue(save.getMessage().contains("holds term 1"), save.getMessage());
    assertTrue(Arrays.equals(before, Files.readAllBytes(storeB.file())), "the state is untouched");
    assertFalse(a.release(), "a fenced holder releases nothing");
    assertEquals(b2, b.read().orElseThrow());

    // Another holder claiming the same term is refused too; a store outside any lease may not write.
    assertThrows(StaleTermException.class, () -> new SweepStateStore(dir, 2, "host-c process 300").save(resumed));
    assertThrows(StaleTermException.class, () -> new SweepStateStore(dir).save(resumed));
    // The holder of the current term goes on writing.
    storeB.save(finishedByA);
    assertEquals(TrialStatus.COMPLETED, new SweepStateStore(dir).load().orElseThrow().trial("trial-000").status());
  }

  @Test
  void aMalformedLeaseFileIsAnErrorNamingIt() throws IOException {
    Files.writeString(dir.resolve(SweepLeaseKeeper.FILE_NAME), "{\"format\": 1, \"term\": 3}");
    IOException e = assertThrows(IOException.class, () -> keeper("host-a", 100).judgeAtStart());
    assertTrue(e.getMessage().contains(SweepLeaseKeeper.FILE_NAME) && e.getMessage().contains("'host'"),
        e.getMessage());
  }
}
