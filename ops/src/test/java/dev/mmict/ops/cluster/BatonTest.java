package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class BatonTest {

  @TempDir
  Path dir;

  /** Runs {@code steps} steps of one side, logging "s3" / "c3" as each step runs. */
  private static long side(Baton baton, String tag, int steps, List<String> log) throws Exception {
    long waited = 0;
    for (int step = 0; step < steps; step++) {
      synchronized (log) {
        log.add(tag + step);
      }
      Thread.sleep(1); // a step that takes time, so that an overlap would show
      waited += baton.afterStep(step);
    }
    return waited;
  }

  @Test
  @Timeout(30)
  void afterTheWarmUpTheSidesRunTheirTimedStepsInAlternatingBlocksSingleFirst() throws Exception {
    Baton.prepare(dir);
    int warmup = 2;
    int steps = 9; // timed steps 2..8: blocks [2, 3, 4], [5, 6, 7], [8]
    Duration timeout = Duration.ofSeconds(20);
    List<String> log = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // The cluster starts first: it must still wait for the single process's first block.
      Future<Long> cluster = pool.submit(() -> side(new Baton(dir, Baton.CLUSTER, warmup, 3, steps, timeout), "c", steps,
          log));
      Future<Long> single = pool.submit(() -> side(new Baton(dir, Baton.SINGLE, warmup, 3, steps, timeout), "s", steps,
          log));
      assertTrue(single.get(20, TimeUnit.SECONDS) > 0, "the single process waited for the cluster's blocks");
      assertTrue(cluster.get(20, TimeUnit.SECONDS) > 0, "the cluster waited for the single process's blocks");
    } finally {
      pool.shutdownNow();
    }
    List<String> timed = log.stream().filter(e -> Integer.parseInt(e.substring(1)) >= warmup).toList();
    assertEquals(List.of("s2", "s3", "s4", "c2", "c3", "c4", "s5", "s6", "s7", "c5", "c6", "c7", "s8", "c8"), timed);
    // Every warm-up step of both sides ran before any timed step: they met at the end of the warm-up.
    int firstTimed = log.indexOf("s2");
    for (String w : List.of("s0", "s1", "c0", "c1")) {
      assertTrue(log.indexOf(w) < firstTimed, w + " ran after the timed steps began: " + log);
    }
  }

  @Test
  @Timeout(30)
  void aSideWhosePartnerNeverArrivesGivesUpNamingIt() throws Exception {
    Baton.prepare(dir);
    Baton single = new Baton(dir, Baton.SINGLE, 1, 2, 4, Duration.ofMillis(200));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> single.afterStep(0));
    assertTrue(e.getMessage().contains("the cluster side did not end its warm-up within"), e.getMessage());
    assertEquals(0, single.afterStep(5), "a step past the pass's end is no turn");
  }

  @Test
  void badSettingsAreRefused() {
    Duration t = Duration.ofSeconds(1);
    assertThrows(IllegalArgumentException.class, () -> new Baton(dir, "both", 1, 1, 3, t));
    assertThrows(IllegalArgumentException.class, () -> new Baton(dir, Baton.SINGLE, 0, 1, 3, t));
    assertThrows(IllegalArgumentException.class, () -> new Baton(dir, Baton.SINGLE, 1, 0, 3, t));
    assertThrows(IllegalArgumentException.class, () -> new Baton(dir, Baton.SINGLE, 3, 1, 3, t));
  }
}
