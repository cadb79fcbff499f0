package dev.mmict.coordinator.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Queries per second over the last few committed steps, wall clock, all workers together: the
 * queries of the last {@code window} commits divided by the time from the commit before them (or
 * the run's first attempt, while fewer have committed) to the last commit. Pauses between steps
 * (a state transfer, a re-plan) count, as an operator watching the run would count them.
 *
 * <p>Not thread-safe: the run driver owns it.
 */
final class Throughput {

  private record Commit(Instant at, long samples) { }

  private final int window;
  private final Deque<Commit> commits = new ArrayDeque<>();
  private Instant start;

  /** Averages over the last {@code window} (at least 1) commits. */
  Throughput(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("throughput window must be >= 1 commit, got " + window);
    }
    this.window = window;
  }

  /** An attempt began at {@code at}; the first one is the run's start. */
  void attemptBegun(Instant at) {
    if (start == null) {
      start = at;
    }
  }

  /** A step of {@code samples} queries committed at {@code at}. */
  void committed(Instant at, long samples) {
    commits.addLast(new Commit(at, samples));
    while (commits.size() > window + 1) {
      commits.removeFirst();
    }
  }

  /** Queries per second over the window; 0 before the first commit or over no elapsed time. */
  double perSecond() {
    if (commits.isEmpty()) {
      return 0;
    }
    List<Commit> all = List.copyOf(commits);
    boolean full = all.size() > window; // the oldest kept commit is only the window's reference
    Instant from = full ? all.get(0).at() : start != null ? start : all.get(0).at();
    long samples = 0;
    for (Commit c : full ? all.subList(1, all.size()) : all) {
      samples += c.samples();
    }
    double seconds = Duration.between(from, all.get(all.size() - 1).at()).toNanos() / 1e9;
    return seconds > 0 ? samples / seconds : 0;
  }
}
