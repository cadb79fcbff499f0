package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.cluster.StepStats.Side;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.worker.train.TrainLoop;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mmict bench scaling}: the cluster's overhead per step. The same configuration and steps
 * trained by the single-process trainer ({@link TrainLoop}, what {@code mmict train --workers 0}
 * runs) and by a 1-worker embedded cluster (what {@code mmict train --workers 1} runs: the
 * coordinator in one JVM, one worker JVM), optionally a 2-worker cluster for information. The
 * ratio is the 1-worker cluster's median time per step over the single process's (target: at
 * most 1.10).
 *
 * <p>Every pass runs in fresh JVMs that this bench starts ({@link ScalingPass}), with the flags a
 * worker JVM gets (heap, one PyTorch thread, offline): the single process in one JVM; the cluster's
 * coordinator in one JVM and its worker in another beneath it. So both sides pay the same JVM
 * start, class loading and JIT compilation, and the same leading {@code warmupSteps} of each pass
 * are not timed; start-up and backbone loading are never timed.
 *
 * <p>Interleaved (the default): each round starts both sides at once; they warm up together, meet
 * at the end of the warm-up and then take turns through a {@link Baton}, {@code block} timed steps
 * at a time, the single process first, so every block of one side runs right beside a block of the
 * other and a machine that changes speed changes both alike. The time a side waits for its turn
 * (and the CPU it spends meanwhile) is left out of its steps. Sequential ({@code interleave} off):
 * the passes run one after another, mirrored every other round (single, cluster, cluster, single,
 * ...), so that a machine that speeds up or slows down steadily favours neither side.
 *
 * <p>A step's time is the interval between consecutive step ends: for the single process the
 * loop's step callbacks, for a cluster the coordinator's commits (its run listener, called once the
 * step's audit line is durable). Each side's timed steps of all its passes are pooled: the median
 * (the headline, robust to steps that another process on the machine slowed) and the mean. Beside
 * wall time, process CPU time is read at the same step ends: the single process's own, and for a
 * cluster its coordinator JVM's plus every worker JVM's ({@link ProcessCpu}); {@code cpu_ratio}
 * (cluster CPU / single-process CPU per timed step) does not move when other processes compete for
 * the cores, but counts work, not waiting. Each side's JIT compiler threads' share of its CPU is
 * reported too: it shows whether the warm-up covered compilation.
 */
public final class ScalingBenchmark {

  /** -Xmx of every JVM a pass starts (the embedded cluster's worker heap). */
  static final int HEAP_MIB = 2048;

  private static final Logger LOG = LoggerFactory.getLogger(ScalingBenchmark.class);

  private ScalingBenchmark() { }

  /**
   * @param steps steps per pass, timed ones and warm-up together
   * @param warmupSteps leading steps of each pass that are not timed (at least 1: the first step
   *     has no start time on the cluster's side)
   * @param rounds passes of each side (interleaved: run side by side; else alternated)
   * @param microBatchSize queries per micro-batch on the cluster (null: the whole batch, as the
   *     single process computes it in one pass)
   * @param twoWorkers also time a 2-worker cluster (one pass, after the others)
   * @param timeout each pass's limit
   * @param workDir where the bench's directory (configuration, logs, traces, audits) is made
   * @param interleave run each round's two sides at once, taking turns (else one after another)
   * @param block timed steps per turn when interleaved
   */
  public record Settings(int steps, int warmupSteps, int rounds, Integer microBatchSize, boolean twoWorkers,
      Duration timeout, Path workDir, boolean interleave, int block) {

    /** Checks the counts. */
    public Settings {
      if (warmupSteps < 1 || steps < warmupSteps + 2) {
        throw new IllegalArgumentException("bench scaling needs warm-up steps >= 1 and at least 2 timed steps, got "
            + steps + " steps with " + warmupSteps + " warm-up");
      }
      if (rounds < 1) {
        throw new IllegalArgumentException("bench scaling needs at least 1 round, got " + rounds);
      }
      if (block < 1) {
        throw new IllegalArgumentException("bench scaling needs a block of at least 1 step, got " + block);
      }
    }

    int timedSteps() {
      return steps - warmupSteps;
    }
  }

  /**
   * One side's figures over its passes (seconds; NaN where a CPU clock is unknown).
   *
   * @param medianSeconds median of the timed steps' wall intervals, all passes pooled
   * @param meanSeconds their mean
   * @param passMeanSeconds each pass's mean, in the order they ran
   * @param cpuPerStep whole-side process CPU per timed step, mean over the passes
   * @param coordinatorCpuPerStep of that, a cluster's coordinator JVM (NaN for the single process)
   * @param jitCpuPerStep of that, the JIT compiler threads
   * @param losses the first pass's losses of every step
   */
  record SideFigures(double medianSeconds, double meanSeconds, List<Double> passMeanSeconds, double cpuPerStep,
      double coordinatorCpuPerStep, double jitCpuPerStep, List<Double> losses) {

    static SideFigures of(List<ScalingTrace> traces, Settings settings) {
      int warmup = settings.warmupSteps();
      List<Long> pooled = new ArrayList<>();
      List<Double> passMeans = new ArrayList<>();
      double cpu = 0;
      double coordinator = 0;
      double jit = 0;
      for (ScalingTrace t : traces) {
        if (t.endNanos().size() != settings.steps()) {
          throw new IllegalStateException("a " + t.side() + " pass recorded " + t.endNanos().size()
              + " step ends, expected " + settings.steps());
        }
        List<Long> intervals = StepStats.intervals(t.endNanos(), t.waitNanos(), warmup);
        pooled.addAll(intervals);
        passMeans.add(StepStats.mean(intervals) / 1e9);
        cpu += ProcessCpu.perStep(t.cpuNanos(), warmup);
        coordinator += t.coordinatorCpuNanos().isEmpty() ? Double.NaN
            : ProcessCpu.perStep(t.coordinatorCpuNanos(), warmup);
        jit += jitPerStep(t.jitNanos(), settings);
      }
      int n = traces.size();
      return new SideFigures(StepStats.median(pooled) / 1e9, StepStats.mean(pooled) / 1e9, List.copyOf(passMeans),
          cpu / n, coordinator / n, jit / n, traces.get(0).losses());
    }

    double jitShare() {
      return jitCpuPerStep / cpuPerStep;
    }
  }

  /** Runs the passes; returns the figures, {@code ratio} first. */
  public static Map<String, Object> run(RunConfig config, Settings settings) throws IOException, InterruptedException {
    int micro = settings.microBatchSize() != null ? settings.microBatchSize() : config.trainer().batchSize();
    ClusterJob job = ClusterJob.of(config, settings.steps(), micro);
    Files.createDirectories(settings.workDir());
    Path root = Files.createTempDirectory(settings.workDir(), "mmict-bench-scaling-");
    Path configFile = BenchClusters.writeConfig(config, root);
    List<Side> order = settings.interleave() ? StepStats.interleavedOrder(settings.rounds(), settings.twoWorkers())
        : StepStats.order(settings.rounds(), settings.twoWorkers());
    Map<Side, List<ScalingTrace>> traces = new EnumMap<>(Side.class);
    for (int i = 0; i < order.size(); i++) {
      Side side = order.get(i);
      if (settings.interleave() && side == Side.SINGLE) {
        // The round's two sides side by side: this single pass and the cluster pass after it in the order.
        Path baton = root.resolve("round-" + (i / 2 + 1) + "-baton");
        Baton.prepare(baton);
        Running single = start(Side.SINGLE, i + 1, configFile, micro, root, settings, baton);
        Running cluster;
        try {
          cluster = start(Side.CLUSTER1, i + 2, configFile, micro, root, settings, baton);
        } catch (IOException | RuntimeException e) {
          stop(single.process());
          throw e;
        }
        ScalingTrace[] both = finishBoth(single, cluster, settings);
        traces.computeIfAbsent(Side.SINGLE, s -> new ArrayList<>()).add(both[0]);
        traces.computeIfAbsent(Side.CLUSTER1, s -> new ArrayList<>()).add(both[1]);
        i++;
        continue;
      }
      ScalingTrace trace = finish(start(side, i + 1, configFile, micro, root, settings, null), settings);
      traces.computeIfAbsent(side, s -> new ArrayList<>()).add(trace);
    }
    SideFigures single = SideFigures.of(traces.get(Side.SINGLE), settings);
    SideFigures one = SideFigures.of(traces.get(Side.CLUSTER1), settings);
    SideFigures two = settings.twoWorkers() ? SideFigures.of(traces.get(Side.CLUSTER2), settings) : null;
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ratio", one.medianSeconds() / single.medianSeconds());
    f.put("mean_ratio", one.meanSeconds() / single.meanSeconds());
    f.put("cpu_ratio", finite(one.cpuPerStep() / single.cpuPerStep()));
    f.put("target_ratio", 1.10);
    f.put("single_ms_per_step", 1000 * single.medianSeconds());
    f.put("single_mean_ms_per_step", 1000 * single.meanSeconds());
    f.put("single_pass_ms_per_step", millis(single.passMeanSeconds()));
    f.put("single_cpu_ms_per_step", finite(1000 * single.cpuPerStep()));
    f.put("single_jit_cpu_ms_per_step", finite(1000 * single.jitCpuPerStep()));
    f.put("single_jit_share", finite(single.jitShare()));
    f.put("cluster1_ms_per_step", 1000 * one.medianSeconds());
    f.put("cluster1_mean_ms_per_step", 1000 * one.meanSeconds());
    f.put("cluster1_pass_ms_per_step", millis(one.passMeanSeconds()));
    f.put("cluster1_cpu_ms_per_step", finite(1000 * one.cpuPerStep()));
    f.put("cluster1_coordinator_cpu_ms_per_step", finite(1000 * one.coordinatorCpuPerStep()));
    f.put("cluster1_worker_cpu_ms_per_step", finite(1000 * (one.cpuPerStep() - one.coordinatorCpuPerStep())));
    f.put("cluster1_jit_cpu_ms_per_step", finite(1000 * one.jitCpuPerStep()));
    f.put("cluster1_jit_share", finite(one.jitShare()));
    f.put("cluster2_ms_per_step", two == null ? null : 1000 * two.medianSeconds());
    f.put("cluster2_ratio", two == null ? null : two.medianSeconds() / single.medianSeconds());
    f.put("cluster2_cpu_ms_per_step", two == null ? null : finite(1000 * two.cpuPerStep()));
    f.put("cluster2_cpu_ratio", two == null ? null : finite(two.cpuPerStep() / single.cpuPerStep()));
    f.put("task", job.task().name());
    f.put("mode", job.mode().label());
    f.put("steps", settings.steps());
    f.put("warmup_steps", settings.warmupSteps());
    f.put("timed_steps", settings.timedSteps());
    f.put("rounds", settings.rounds());
    f.put("schedule", settings.interleave() ? "interleaved" : "sequential");
    f.put("block_steps", settings.interleave() ? settings.block() : null);
    List<Double> blockRatios = settings.interleave()
        ? StepStats.blockRatios(traces.get(Side.SINGLE), traces.get(Side.CLUSTER1), settings.warmupSteps(),
            settings.block())
        : List.of();
    f.put("block_ratios", blockRatios);
    f.put("block_ratio_median", blockRatios.isEmpty() ? null : StepStats.median(blockRatios));
    f.put("order", order.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
    f.put("batch_size", job.plan().globalBatchSize());
    f.put("micro_batch_size", job.plan().microBatchSize());
    f.put("single_losses", single.losses());
    f.put("cluster1_losses", one.losses());
    f.put("heap_mib", HEAP_MIB);
    f.put("threads", 1);
    f.put("work_dir", root.toString());
    return f;
  }

  /** A pass's JVM, started. */
  private record Running(Side side, int index, Process process, Path traceFile, Path log) { }

  /** Starts pass {@code index} of {@code side} in a fresh JVM under {@code root} (taking turns through {@code baton} if not null). */
  private static Running start(Side side, int index, Path configFile, int micro, Path root, Settings settings,
      Path baton) throws IOException {
    Path dir = Files.createDirectories(root.resolve("pass-" + index + "-" + side.name().toLowerCase(Locale.ROOT)));
    Path traceFile = dir.resolve("trace.json");
    Path log = dir.resolve("pass.log");
    List<String> cmd = command(side, configFile, micro, dir, traceFile, settings, baton);
    Process p = new ProcessBuilder(cmd)
        .directory(new File(System.getProperty("user.dir")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    LOG.info("bench scaling: pass {} ({}) started as process {}{} (log {})", index, side, p.pid(),
        baton == null ? "" : ", taking turns with the other side", log);
    return new Running(side, index, p, traceFile, log);
  }

  /** Waits for both sides of an interleaved round; a failure of either stops the other. */
  private static ScalingTrace[] finishBoth(Running single, Running cluster, Settings settings)
      throws IOException, InterruptedException {
    boolean done = false;
    try {
      ScalingTrace[] both = {finish(single, settings), finish(cluster, settings)};
      done = true;
      return both;
    } finally {
      if (!done) {
        stop(single.process());
        stop(cluster.process());
      }
    }
  }

  /** Waits for a pass to end (within the timeout and a minute); returns what it recorded. */
  private static ScalingTrace finish(Running r, Settings settings) throws IOException, InterruptedException {
    Process p = r.process();
    int index = r.index();
    Side side = r.side();
    Path log = r.log();
    Path traceFile = r.traceFile();
    long limit = settings.timeout().toSeconds() + 60;
    boolean ended;
    try {
      ended = p.waitFor(limit, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      stop(p);
      throw e;
    }
    if (!ended) {
      stop(p);
      throw new IllegalStateException("bench scaling: pass " + index + " (" + side + ") did not end within " + limit
          + " s; its log: " + log);
    }
    if (p.exitValue() != 0 || !Files.isRegularFile(traceFile)) {
      throw new IllegalStateException("bench scaling: pass " + index + " (" + side + ") failed with exit code "
          + p.exitValue() + "; the end of its log " + log + ":\n" + tail(log, 20));
    }
    ScalingTrace trace = new ObjectMapper().readValue(traceFile.toFile(), ScalingTrace.class);
    List<Long> intervals = StepStats.intervals(trace.endNanos(), trace.waitNanos(), settings.warmupSteps());
    LOG.info("bench scaling: pass {} ({}): median {} ms per step, mean {} ms, {} ms CPU", index, side,
        String.format(Locale.ROOT, "%.1f", StepStats.median(intervals) / 1e6),
        String.format(Locale.ROOT, "%.1f", StepStats.mean(intervals) / 1e6),
        String.format(Locale.ROOT, "%.1f", 1000 * ProcessCpu.perStep(trace.cpuNanos(), settings.warmupSteps())));
    return trace;
  }

  /** The command line of one pass: a fresh JVM with a worker JVM's flags running {@link ScalingPass}. */
  static List<String> command(Side side, Path configFile, int micro, Path dir, Path traceFile, Settings settings,
      Path baton) {
    List<String> cmd = ChildJvm.command(HEAP_MIB);
    cmd.addAll(List.of(ScalingPass.class.getName(),
        side == Side.SINGLE ? "single" : "cluster",
        configFile.toAbsolutePath().toString(),
        Integer.toString(settings.steps()),
        Integer.toString(settings.warmupSteps()),
        Integer.toString(micro),
        Integer.toString(side == Side.CLUSTER2 ? 2 : side == Side.CLUSTER1 ? 1 : 0),
        Long.toString(settings.timeout().toSeconds()),
        dir.toAbsolutePath().toString(),
        traceFile.toAbsolutePath().toString(),
        baton == null ? "-" : baton.toAbsolutePath().toString(),
        Integer.toString(settings.block())));
    return cmd;
  }

  /** Kills a pass's JVM and whatever it started (its worker JVMs). */
  private static void stop(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static String tail(Path log, int lines) throws IOException {
    if (!Files.isRegularFile(log)) {
      return "(no log)";
    }
    // Decoded leniently: the tail of a crashed JVM's log is shown whatever bytes it holds.
    List<String> all = List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n"));
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** JIT CPU seconds per timed step from its readings at the last warm-up and the last step end; NaN when unknown. */
  private static double jitPerStep(List<Long> readings, Settings settings) {
    if (readings.size() != 2 || readings.get(0) < 0 || readings.get(1) < 0) {
      return Double.NaN;
    }
    return (readings.get(1) - readings.get(0)) / 1e9 / settings.timedSteps();
  }

  private static List<Double> millis(List<Double> seconds) {
    return seconds.stream().map(s -> 1000 * s).toList();
  }

  /** {@code x}, or null (JSON null) when it is not a finite number (a CPU clock the platform lacks). */
  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }

  /** The figures as lines for the terminal. */
  @SuppressWarnings("unchecked")
  public static String format(Map<String, Object> f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "bench scaling: %s (%s), %d steps of %d dialogs (%d per micro-batch),"
        + " %d timed after %d warm-up, %d round(s) in fresh JVMs, %s: %s%n", f.get("task"), f.get("mode"),
        (Integer) f.get("steps"), (Integer) f.get("batch_size"), (Integer) f.get("micro_batch_size"),
        (Integer) f.get("timed_steps"), (Integer) f.get("warmup_steps"), (Integer) f.get("rounds"),
        f.get("block_steps") == null ? "one after another"
            : "side by side taking turns every " + f.get("block_steps") + " steps",
        String.join(", ", (List<String>) f.get("order"))));
    b.append(String.format(Locale.ROOT, "  ms per step        median    mean  (passes)%n"));
    b.append(side("single process", f, "single"));
    b.append(side("cluster, 1 worker", f, "cluster1"));
    if (f.get("cluster2_ms_per_step") != null) {
      b.append(String.format(Locale.ROOT, "  cluster, 2 workers %7.1f  (%.2fx the single process)%n",
          (Double) f.get("cluster2_ms_per_step"), (Double) f.get("cluster2_ratio")));
    }
    if (f.get("cpu_ratio") != null) {
      b.append(String.format(Locale.ROOT, "  process CPU ms per step: single %.1f; 1-worker cluster %.1f (coordinator"
          + " %.1f, worker %.1f)%n", (Double) f.get("single_cpu_ms_per_step"), (Double) f.get("cluster1_cpu_ms_per_step"),
          (Double) f.get("cluster1_coordinator_cpu_ms_per_step"), (Double) f.get("cluster1_worker_cpu_ms_per_step")));
      if (f.get("single_jit_cpu_ms_per_step") != null && f.get("cluster1_jit_cpu_ms_per_step") != null) {
        b.append(String.format(Locale.ROOT, "    of which JIT compiler threads: single %.1f (%.0f%%), cluster %.1f"
            + " (%.0f%%)%n", (Double) f.get("single_jit_cpu_ms_per_step"), 100 * (Double) f.get("single_jit_share"),
            (Double) f.get("cluster1_jit_cpu_ms_per_step"), 100 * (Double) f.get("cluster1_jit_share")));
      }
    }
    b.append(String.format(Locale.ROOT, "  ratio (1-worker cluster / single process, medians) %.3f (target <= %.2f);"
        + " of means %.3f%n", (Double) f.get("ratio"), (Double) f.get("target_ratio"), (Double) f.get("mean_ratio")));
    if (f.get("block_ratio_median") != null) {
      b.append(String.format(Locale.ROOT, "  block by block (each cluster block / the single block before it):"
          + " median %.3f over %d blocks%n", (Double) f.get("block_ratio_median"),
          ((List<?>) f.get("block_ratios")).size()));
    }
    if (f.get("cpu_ratio") != null) {
      b.append(String.format(Locale.ROOT, "  cpu_ratio (the same in process CPU time per step) %.3f%n",
          (Double) f.get("cpu_ratio")));
    }
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  private static String side(String label, Map<String, Object> f, String key) {
    List<Double> passes = (List<Double>) f.get(key + "_pass_ms_per_step");
    return String.format(Locale.ROOT, "  %-18s %7.1f %7.1f  (%s)%n", label, (Double) f.get(key + "_ms_per_step"),
        (Double) f.get(key + "_mean_ms_per_step"),
        String.join(", ", passes.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList()));
  }
}
