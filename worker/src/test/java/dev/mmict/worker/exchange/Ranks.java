package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Test helper: runs one task per rank on its own thread and collects each outcome, bounded. */
final class Ranks {

  private Ranks() {}

  /** A rank's body. */
  interface Task<T> {
    T run(int rank) throws Exception;
  }

  /** What one rank ended with: a value or the exception it threw. */
  record Outcome<T>(T value, Throwable error) {
    T get() {
      if (error != null) {
        throw new AssertionError("rank failed: " + error, error);
      }
      return value;
    }
  }

  /** Runs {@code task} for ranks 0..n-1 at once; fails the test if any rank is still running after {@code seconds}. */
  static <T> List<Outcome<T>> run(int n, long seconds, Task<T> task) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        int rank = r;
        futures.add(pool.submit(() -> task.run(rank)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        try {
          outcomes.add(new Outcome<>(futures.get(r).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS), null));
        } catch (ExecutionException e) {
          outcomes.add(new Outcome<>(null, e.getCause()));
        } catch (TimeoutException e) {
          fail("rank " + r + " still running after " + seconds + " s: some wait is unbounded");
        }
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }
}
