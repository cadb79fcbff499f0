package dev.mmict.ops.cluster;

import java.util.List;

/**
 * What one pass of {@code bench scaling} recorded in its own JVM, read at every step end (index =
 * step): written as JSON by {@link ScalingPass} and read back by {@link ScalingBenchmark}.
 *
 * @param side {@code single} or {@code cluster}
 * @param workers the cluster's worker JVMs (0 for the single process)
 * @param endNanos {@link System#nanoTime} at each step end
 * @param cpuNanos the side's whole process CPU at each step end (for a cluster: its coordinator
 *     JVM and every worker JVM); -1 where unknown
 * @param coordinatorCpuNanos a cluster's coordinator JVM alone at each step end (empty for the
 *     single process)
 * @param jitNanos CPU of the JIT compiler threads of every JVM of the side, read at the end of the
 *     last warm-up step and of the last step (two readings; -1 where unknown)
 * @param losses every step's loss
 * @param waitNanos per step, how long the side waited for its turn after that step's end (all 0
 *     outside an interleaved round, see {@link Baton}); the CPU readings leave out what the side
 *     spent while it waited
 */
record ScalingTrace(String side, int workers, List<Long> endNanos, List<Long> cpuNanos,
    List<Long> coordinatorCpuNanos, List<Long> jitNanos, List<Double> losses, List<Long> waitNanos) {

  /** Copies the lists. */
  ScalingTrace {
    endNanos = List.copyOf(endNanos);
    cpuNanos = List.copyOf(cpuNanos);
    coordinatorCpuNanos = List.copyOf(coordinatorCpuNanos);
    jitNanos = List.copyOf(jitNanos);
    losses = List.copyOf(losses);
    waitNanos = List.copyOf(waitNanos);
    if (waitNanos.size() != endNanos.size()) {
      throw new IllegalArgumentException("a trace needs one wait per step end: " + endNanos.size() + " ends, "
          + waitNanos.size() + " waits");
    }
  }
}
