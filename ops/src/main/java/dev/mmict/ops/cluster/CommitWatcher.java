package dev.mmict.ops.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes when each step of a cluster run is committed, from outside the coordinator: it polls the
 * run's sample audit file (one line per committed step, forced to disk before the coordinator
 * plans the next step) on a daemon thread and records {@link System#nanoTime()} whenever a new
 * complete line appears. The benchmarks time steps with it; its resolution is the poll interval.
 */
final class CommitWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommitWatcher.class);

  private final Path auditFile;
  private final Duration poll;
  private final List<Long> commitNanos = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile IOException failure;
  private long lastSize = -1;

  /** Starts watching {@code auditFile} (it may not exist yet), polling every {@code poll}. */
  CommitWatcher(Path auditFile, Duration poll) {
    this.auditFile = auditFile;
    this.poll = poll;
    this.thread = new Thread(this::loop, "mmict-bench-commit-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Steps committed so far. */
  synchronized int committed() {
    return commitNanos.size();
  }

  /** The nanoTime at which each committed step was first seen, in commit order. */
  synchronized List<Long> commitNanos() {
    return List.copyOf(commitNanos);
  }

  /**
   * Waits until {@code count} steps are committed; returns the nanoTime the last of them was seen.
   *
   * @param deadlineNanos give up (IllegalStateException) at this nanoTime
   * @param ended true when the run has ended: waiting further is pointless
   */
  long await(int count, long deadlineNanos, BooleanSupplier ended) throws InterruptedException {
    while (true) {
      IOException f = failure;
      if (f != null) {
        throw new UncheckedIOException("cannot read the audit file " + auditFile, f);
      }
      synchronized (this) {
        if (commitNanos.size() >= count) {
          return commitNanos.get(count - 1);
        }
      }
      if (ended.getAsBoolean()) {
        throw new IllegalStateException("the run ended after " + committed() + " committed steps, before step "
            + (count - 1) + " was committed (audit " + auditFile + ")");
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("step " + (count - 1) + " was not committed in time (" + committed()
            + " committed; audit " + auditFile + ")");
      }
      Thread.sleep(Math.max(1, poll.toMillis()));
    }
  }

  private void loop() {
    while (!stopped) {
      try {
        check();
        Thread.sleep(Math.max(1, poll.toMillis()));
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        failure = e;
        LOG.warn("commit watcher: cannot read {}: {}", auditFile, e.getMessage());
        return;
      }
    }
  }

  private void check() throws IOException {
    long size;
    try {
      size = Files.size(auditFile);
    } catch (NoSuchFileException e) {
      return;
    }
    if (size == lastSize) {
      return;
    }
    long now = System.nanoTime();
    lastSize = size;
    int lines = 0;
    try (InputStream in = Files.newInputStream(auditFile)) {
      byte[] buf = new byte[8192];
      for (int n = in.read(buf); n > 0; n = in.read(buf)) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
      }
    } catch (NoSuchFileException e) {
      return;
    }
    synchronized (this) {
      while (commitNanos.size() < lines) {
        commitNanos.add(now);
      }
    }
  }

  /** Stops the polling thread. */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}
