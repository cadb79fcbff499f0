package dev.mmict.ops.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * CPU time of processes (every thread, native ones and GC included), for benchmarks on a shared
 * machine: unlike wall-clock time it does not grow while other processes hold the cores. Values
 * are nanoseconds; -1 where the platform cannot tell.
 */
final class ProcessCpu {

  private ProcessCpu() { }

  /** CPU time of this JVM so far. */
  static long selfNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * CPU time of {@code process} so far, user and system ({@link ProcessHandle.Info#totalCpuDuration},
   * on Linux from {@code /proc/PID/stat} in clock ticks of 10 ms).
   */
  static long nanosOf(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /**
   * CPU time the JIT compiler threads of process {@code pid} have used so far (Linux: the
   * {@code C1/C2 CompilerThread} tasks in {@code /proc/PID/task}, in ticks of 1/100 s); -1 where
   * that cannot be read. A young JVM (a worker just started) spends a large share of its CPU here.
   */
  static long compilerNanos(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    long ticks = 0;
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path t : list.toList()) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close);
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          // After "(name) ": state is field 3, utime field 14 and stime field 15 of the line.
          String[] f = stat.substring(close + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return ticks * 10_000_000L;
  }

  /** CPU seconds per step from {@code cpu} read at each step end, over the steps after warm-up; NaN when unknown. */
  static double perStep(java.util.List<Long> cpu, int warmup) {
    int first = warmup - 1;
    int timed = cpu.size() - 1 - first;
    if (timed < 1 || cpu.get(first) < 0 || cpu.get(cpu.size() - 1) < 0) {
      return Double.NaN;
    }
    return (cpu.get(cpu.size() - 1) - cpu.get(first)) / 1e9 / timed;
  }
}
