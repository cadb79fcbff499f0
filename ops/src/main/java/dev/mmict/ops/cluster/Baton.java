package dev.mmict.ops.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Turn-taking between the two sides of an interleaved {@code bench scaling} round (the single
 * process and the 1-worker cluster, two process trees started together), through files in one
 * directory. Both warm up at the same time; at the end of the last warm-up step each waits for the
 * other; then they run the timed steps in blocks of {@code block} steps, one side at a time, the
 * single process first. So every block of one side is measured right beside a block of the other,
 * and a machine that changes speed during the bench changes both alike.
 *
 * <p>Files: {@code ready-single}, {@code ready-cluster} (each side's end of warm-up) and {@code turn}
 * (whose block it is; the bench writes {@code single} before starting either side, a side that ends
 * a block writes the other's name with an atomic rename). Every wait polls every 2 ms and gives up
 * after {@code timeout}.
 */
final class Baton {

  /** The side that runs the first timed block. */
  static final String SINGLE = "single";
  /** The other side. */
  static final String CLUSTER = "cluster";

  private static final long POLL_MILLIS = 2;

  private final Path dir;
  private final String me;
  private final String other;
  private final int warmup;
  private final int block;
  private final int steps;
  private final Duration timeout;

  /**
   * @param dir the round's baton directory (holding {@code turn})
   * @param me {@link #SINGLE} or {@link #CLUSTER}
   * @param warmup leading steps run by both sides at once
   * @param block timed steps per turn
   * @param steps all steps of the pass
   * @param timeout the longest wait for the other side
   */
  Baton(Path dir, String me, int warmup, int block, int steps, Duration timeout) {
    if (!SINGLE.equals(me) && !CLUSTER.equals(me)) {
      throw new IllegalArgumentException("a baton side is 'single' or 'cluster', got '" + me + "'");
    }
    if (warmup < 1 || block < 1 || steps <= warmup) {
      throw new IllegalArgumentException("a baton needs warm-up >= 1, block >= 1 and steps > warm-up, got warm-up "
          + warmup + ", block " + block + ", steps " + steps);
    }
    this.dir = dir;
    this.me = me;
    this.other = SINGLE.equals(me) ? CLUSTER : SINGLE;
    this.warmup = warmup;
    this.block = block;
    this.steps = steps;
    this.timeout = timeout;
  }

  /** Makes a round's directory ready: the single process has the first turn. */
  static void prepare(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir, SINGLE);
  }

  /**
   * Called at the end of step {@code step} (0-based): hands the turn over at a block's end and
   * blocks until this side may run its next step.
   *
   * @return nanoseconds spent waiting (0 when this side runs on at once)
   * @throws IllegalStateException when the other side does not answer within the timeout
   */
  long afterStep(long step) throws IOException, InterruptedException {
    if (step < warmup - 1 || step >= steps) {
      return 0;
    }
    long start = System.nanoTime();
    if (step == warmup - 1) {
      Files.writeString(dir.resolve("ready-" + me), Long.toString(ProcessHandle.current().pid()));
      await(() -> Files.exists(dir.resolve("ready-" + other)), "end its warm-up");
      if (CLUSTER.equals(me)) {
        await(() -> me.equals(read()), "end its first block");
      }
      return System.nanoTime() - start;
    }
    boolean last = step == steps - 1;
    if (!last && (step - (warmup - 1)) % block != 0) {
      return 0;
    }
    write(dir, other);
    if (last) {
      return 0;
    }
    await(() -> me.equals(read()), "end its block");
    return System.nanoTime() - start;
  }

  /** A condition polled by {@link #await}. */
  private interface Check {
    boolean holds() throws IOException;
  }

  private void await(Check check, String what) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("bench scaling: the " + other + " side did not " + what + " within "
            + timeout.toSeconds() + " s (baton directory " + dir + ")");
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private String read() throws IOException {
    try {
      return Files.readString(dir.resolve("turn"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("bench scaling: the baton file " + dir.resolve("turn") + " is gone", e);
    }
  }

  private static void write(Path dir, String side) throws IOException {
    Path tmp = Files.createTempFile(dir, "turn-", ".tmp");
    Files.writeString(tmp, side, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve("turn"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
