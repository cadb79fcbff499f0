package dev.mmict.ops.cluster;

import ai.djl.ndarray.NDManager;
import dev.mmict.coordinator.cluster.RunListener;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.TrainLoop;
import dev.mmict.worker.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mmict bench scaling}: the cluster's overhead. The same configuration and steps trained
 * by the single-process trainer ({@link TrainLoop}, as {@code mmict train} without {@code
 * --workers} runs it) and by a 1-worker embedded cluster (coordinator in this JVM, one worker
 * JVM), timed per step in one run; optionally a 2-worker cluster for information. The ratio is
 * the 1-worker cluster's time per step over the single process's (target: at most 1.10).
 *
 * <p>Both sides load the backbone the way a worker does ({@link ModelStore#load}, fine-tuned
 * parameters trainable, the in-memory feature cache), and both run with the JVM's PyTorch
 * thread settings (the launcher and the worker JVMs use one thread). A step's time is the
 * interval between consecutive step ends: for the single process the loop's step callbacks, for
 * a cluster the coordinator's commits (its run listener, called once the step's audit line is
 * durable). The first {@code warmupSteps} steps of each side are not timed (JIT, caches), nor is
 * any start-up. The single process runs before and after the clusters and its time is the mean of
 * both passes, so a machine that speeds up or slows down during the bench favours neither side.
 *
 * <p>Beside wall time, each side's process CPU time per step is read at the same step ends: the
 * single process's own, and for a cluster this JVM's (the coordinator) plus every worker JVM's
 * ({@link ProcessCpu}). {@code cpu_ratio} (cluster CPU / single-process CPU per step) does not
 * move when other processes compete for the cores, which makes {@code ratio} swing on a shared
 * machine; it counts work, not waiting, so a cluster that only waits longer shows in {@code ratio}
 * alone.
 */
public final class ScalingBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(ScalingBenchmark.class);

  private ScalingBenchmark() { }

  /**
   * @param steps steps per pass, timed ones and warm-up together
   * @param warmupSteps leading steps of each pass that are not timed (at least 1: the first step
   *     has no start time on the cluster's side)
   * @param microBatchSize queries per micro-batch on the cluster (null: the whole batch, as the
   *     single process computes it in one pass)
   * @param twoWorkers also time a 2-worker cluster
   * @param timeout each cluster run's limit
   * @param workDir where the runs' temporary directories are made
   */
  public record Settings(int steps, int warmupSteps, Integer microBatchSize, boolean twoWorkers, Duration timeout,
      Path workDir) {

    /** Checks the counts. */
    public Settings {
      if (warmupSteps < 1 || steps < warmupSteps + 2) {
        throw new IllegalArgumentException("bench scaling needs warm-up steps >= 1 and at least 2 timed steps, got "
            + steps + " steps with " + warmupSteps + " warm-up");
      }
    }
  }

  /**
   * One pass: wall and CPU seconds per timed step, and the losses of every step.
   *
   * @param cpuPerStep the whole side's process CPU (for a cluster: coordinator and workers)
   * @param coordinatorCpuPerStep a cluster's coordinator JVM alone (NaN for the single process)
   * @param jitCpuPerStep of {@code cpuPerStep}, the JIT compiler threads' (NaN where unknown)
   */
  private record Pass(double secondsPerStep, double cpuPerStep, double coordinatorCpuPerStep, double jitCpuPerStep,
      List<Double> losses) {

    double workerCpuPerStep() {
      return cpuPerStep - coordinatorCpuPerStep;
    }
  }

  /** Runs the passes; returns the figures, {@code ratio} first. */
  public static Map<String, Object> run(RunConfig config, Settings settings) throws IOException, InterruptedException {
    int micro = settings.microBatchSize() != null ? settings.microBatchSize() : config.trainer().batchSize();
    ClusterJob job = ClusterJob.of(config, settings.steps(), micro);
    Files.createDirectories(settings.workDir());
    Pass singleFirst = single(job, settings, "single process (first)");
    Pass one = cluster(job, config, settings, 1);
    Pass two = settings.twoWorkers() ? cluster(job, config, settings, 2) : null;
    Pass singleLast = single(job, settings, "single process (again)");
    double single = (singleFirst.secondsPerStep() + singleLast.secondsPerStep()) / 2;
    double singleCpu = (singleFirst.cpuPerStep() + singleLast.cpuPerStep()) / 2;
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ratio", one.secondsPerStep() / single);
    f.put("cpu_ratio", finite(one.cpuPerStep() / singleCpu));
    f.put("target_ratio", 1.10);
    f.put("single_ms_per_step", 1000 * single);
    f.put("single_first_ms_per_step", 1000 * singleFirst.secondsPerStep());
    f.put("single_last_ms_per_step", 1000 * singleLast.secondsPerStep());
    f.put("single_cpu_ms_per_step", finite(1000 * singleCpu));
    f.put("single_first_cpu_ms_per_step", finite(1000 * singleFirst.cpuPerStep()));
    f.put("single_last_cpu_ms_per_step", finite(1000 * singleLast.cpuPerStep()));
    f.put("single_jit_cpu_ms_per_step", finite(1000 * (singleFirst.jitCpuPerStep() + singleLast.jitCpuPerStep()) / 2));
    f.put("cluster1_ms_per_step", 1000 * one.secondsPerStep());
    f.put("cluster1_cpu_ms_per_step", finite(1000 * one.cpuPerStep()));
    f.put("cluster1_coordinator_cpu_ms_per_step", finite(1000 * one.coordinatorCpuPerStep()));
    f.put("cluster1_worker_cpu_ms_per_step", finite(1000 * one.workerCpuPerStep()));
    f.put("cluster1_jit_cpu_ms_per_step", finite(1000 * one.jitCpuPerStep()));
    f.put("cluster2_ms_per_step", two == null ? null : 1000 * two.secondsPerStep());
    f.put("cluster2_ratio", two == null ? null : two.secondsPerStep() / single);
    f.put("cluster2_cpu_ms_per_step", two == null ? null : finite(1000 * two.cpuPerStep()));
    f.put("cluster2_cpu_ratio", two == null ? null : finite(two.cpuPerStep() / singleCpu));
    f.put("task", job.task().name());
    f.put("mode", job.mode().label());
    f.put("steps", settings.steps());
    f.put("warmup_steps", settings.warmupSteps());
    f.put("timed_steps", settings.steps() - settings.warmupSteps());
    f.put("batch_size", job.plan().globalBatchSize());
    f.put("micro_batch_size", job.plan().microBatchSize());
    f.put("single_losses", singleFirst.losses());
    f.put("cluster1_losses", one.losses());
    f.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    return f;
  }

  private static Pass single(ClusterJob job, Settings settings, String label) throws IOException {
    RunConfig config = job.config();
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelStore.Loaded loaded = ModelStore.load(job.backbone(), manager, config.seed());
      try (MmictModel model = loaded.model()) {
        model.setTrainable(MmictModel.FINETUNED);
        var t = config.trainer();
        TrainSettings s = new TrainSettings(settings.steps(), t.batchSize(), t.lr(),
            Math.min(t.warmupSteps(), settings.steps()), t.weightDecay(), config.seed(), 0, t.gradClip(), false);
        TaskMix mix = new TaskMix(job.dataset(), 1, List.of(job.mode()), job.plan().shots(), job.plan().strategy());
        DialogBuilder builder = new DialogBuilder(loaded.tokenizer(), config.model().maxTextTokens());
        List<Long> ends = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        List<Long> jit = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        new TrainLoop(model, builder).run(manager, List.of(mix), s, (step, total, lr, result) -> {
          ends.add(System.nanoTime());
          cpu.add(ProcessCpu.selfNanos());
          if (step == settings.warmupSteps() - 1 || step == settings.steps() - 1) {
            jit.add(ProcessCpu.compilerNanos(self));
          }
          losses.add(result.loss());
        });
        double perStep = perStep(ends, settings.warmupSteps());
        double cpuPerStep = ProcessCpu.perStep(cpu, settings.warmupSteps());
        LOG.info("bench scaling: {}: {} ms per step, {} ms CPU", label,
            String.format(Locale.ROOT, "%.1f", 1000 * perStep), String.format(Locale.ROOT, "%.1f", 1000 * cpuPerStep));
        return new Pass(perStep, cpuPerStep, Double.NaN, jitPerStep(jit, settings), losses);
      }
    }
  }

  private static Pass cluster(ClusterJob job, RunConfig config, Settings settings, int workers)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(settings.workDir(), "mmict-bench-scaling-" + workers + "w-");
    Path configFile = BenchClusters.writeConfig(config, dir);
    CommitClock commits = new CommitClock(workers, settings);
    try {
      CompletableFuture<EmbeddedCluster.Result> run = BenchClusters.start(job, configFile, dir,
          new EmbeddedCluster.Options(workers, false, settings.timeout(), 2048, null, commits));
      EmbeddedCluster.Result result = run.get(settings.timeout().toSeconds() + 30, TimeUnit.SECONDS);
      if (!result.summary().completed()) {
        throw new IllegalStateException("the " + workers + "-worker cluster run failed: " + result.summary().detail()
            + " (logs under " + dir + ")");
      }
      double perStep = perStep(commits.ends(), settings.warmupSteps());
      double coordinatorCpu = ProcessCpu.perStep(commits.coordinatorCpu(), settings.warmupSteps());
      double workerCpu = ProcessCpu.perStep(commits.workerCpu(), settings.warmupSteps());
      LOG.info("bench scaling: {}-worker cluster: {} ms per step, {} ms CPU in the coordinator, {} ms in the workers",
          workers, String.format(Locale.ROOT, "%.1f", 1000 * perStep),
          String.format(Locale.ROOT, "%.1f", 1000 * coordinatorCpu),
          String.format(Locale.ROOT, "%.1f", 1000 * workerCpu));
      return new Pass(perStep, coordinatorCpu + workerCpu, coordinatorCpu, jitPerStep(commits.jit(), settings),
          result.summary().losses());
    } catch (ExecutionException e) {
      throw new IllegalStateException("the " + workers + "-worker cluster run failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the " + workers + "-worker cluster run did not end within "
          + settings.timeout(), e);
    }
  }

  /**
   * A cluster's step ends as its coordinator commits them, with the coordinator JVM's and the
   * worker JVMs' CPU time read at each. The workers are found among this JVM's children when the
   * first step is planned (they have all joined by then), so the search costs no timed step. The
   * JIT compiler threads' CPU of all of them is read at the first and last timed commits only.
   */
  private static final class CommitClock implements RunListener {
    private final int workers;
    private final Settings settings;
    private final List<Long> jit = new ArrayList<>();
    private final List<Long> ends = new ArrayList<>();
    private final List<Long> coordinatorCpu = new ArrayList<>();
    private final List<Long> workerCpu = new ArrayList<>();
    private List<ProcessHandle> handles = List.of();

    CommitClock(int workers, Settings settings) {
      this.workers = workers;
      this.settings = settings;
    }

    @Override
    public synchronized void attemptBegun(long step, int participants, int liveWorkers) {
      if (handles.size() < workers) {
        List<ProcessHandle> found = new ArrayList<>();
        for (int i = 1; i <= workers; i++) {
          BenchClusters.workerProcess("worker-" + i).ifPresent(found::add);
        }
        handles = List.copyOf(found);
      }
    }

    @Override
    public synchronized void stepCommitted(long step, double loss, long samples, Duration wallTime, int liveWorkers) {
      ends.add(System.nanoTime());
      coordinatorCpu.add(ProcessCpu.selfNanos());
      long sum = handles.size() < workers ? -1 : 0;
      for (ProcessHandle h : handles) {
        long n = ProcessCpu.nanosOf(h);
        sum = n < 0 || sum < 0 ? -1 : sum + n;
      }
      workerCpu.add(sum);
      if (step == settings.warmupSteps() - 1 || step == settings.steps() - 1) {
        long compilers = ProcessCpu.compilerNanos(ProcessHandle.current().pid());
        for (ProcessHandle h : handles) {
          long n = ProcessCpu.compilerNanos(h.pid());
          compilers = n < 0 || compilers < 0 ? -1 : compilers + n;
        }
        jit.add(handles.size() < workers ? -1 : compilers);
      }
    }

    synchronized List<Long> jit() {
      return List.copyOf(jit);
    }

    synchronized List<Long> ends() {
      return List.copyOf(ends);
    }

    synchronized List<Long> coordinatorCpu() {
      return List.copyOf(coordinatorCpu);
    }

    synchronized List<Long> workerCpu() {
      return List.copyOf(workerCpu);
    }
  }

  /** JIT CPU seconds per timed step from its readings at the first and the last timed step end; NaN when unknown. */
  private static double jitPerStep(List<Long> readings, Settings settings) {
    if (readings.size() != 2 || readings.get(0) < 0 || readings.get(1) < 0) {
      return Double.NaN;
    }
    return (readings.get(1) - readings.get(0)) / 1e9 / (settings.steps() - settings.warmupSteps());
  }

  /** {@code x}, or null (JSON null) when it is not a finite number (a CPU clock the platform lacks). */
  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }

  /** Seconds per step from the end of step {@code warmup - 1} to the last step's end. */
  static double perStep(List<Long> ends, int warmup) {
    int first = warmup - 1;
    int timed = ends.size() - 1 - first;
    if (timed < 1) {
      throw new IllegalStateException("only " + ends.size() + " step ends recorded; need at least " + (first + 2));
    }
    return (ends.get(ends.size() - 1) - ends.get(first)) / 1e9 / timed;
  }

  /** The figures as lines for the terminal. */
  public static String format(Map<String, Object> f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "bench scaling: %s (%s), %d steps of %d dialogs (%d per micro-batch),"
        + " %d timed after %d warm-up%n", f.get("task"), f.get("mode"), (Integer) f.get("steps"),
        (Integer) f.get("batch_size"), (Integer) f.get("micro_batch_size"), (Integer) f.get("timed_steps"),
        (Integer) f.get("warmup_steps")));
    b.append(String.format(Locale.ROOT, "  single process     %8.1f ms/step  (mean of %.1f first, %.1f last)%n",
        (Double) f.get("single_ms_per_step"), (Double) f.get("single_first_ms_per_step"),
        (Double) f.get("single_last_ms_per_step")));
    b.append(String.format(Locale.ROOT, "  cluster, 1 worker  %8.1f ms/step%n", (Double) f.get("cluster1_ms_per_step")));
    if (f.get("cluster2_ms_per_step") != null) {
      b.append(String.format(Locale.ROOT, "  cluster, 2 workers %8.1f ms/step  (%.2fx the single process)%n",
          (Double) f.get("cluster2_ms_per_step"), (Double) f.get("cluster2_ratio")));
    }
    if (f.get("cpu_ratio") != null) {
      b.append(String.format(Locale.ROOT, "  process CPU: single %.1f ms/step (%.1f first, %.1f last); 1-worker cluster"
          + " %.1f ms/step (coordinator %.1f, worker %.1f)%n", (Double) f.get("single_cpu_ms_per_step"),
          (Double) f.get("single_first_cpu_ms_per_step"), (Double) f.get("single_last_cpu_ms_per_step"),
          (Double) f.get("cluster1_cpu_ms_per_step"), (Double) f.get("cluster1_coordinator_cpu_ms_per_step"),
          (Double) f.get("cluster1_worker_cpu_ms_per_step")));
      if (f.get("single_jit_cpu_ms_per_step") != null && f.get("cluster1_jit_cpu_ms_per_step") != null) {
        b.append(String.format(Locale.ROOT, "    of which JIT compiler threads: single %.1f, cluster %.1f ms/step%n",
            (Double) f.get("single_jit_cpu_ms_per_step"), (Double) f.get("cluster1_jit_cpu_ms_per_step")));
      }
    }
    b.append(String.format(Locale.ROOT, "  ratio (1-worker cluster / single process) %.3f (target <= %.2f)%n",
        (Double) f.get("ratio"), (Double) f.get("target_ratio")));
    if (f.get("cpu_ratio") != null) {
      b.append(String.format(Locale.ROOT, "  cpu_ratio (the same in process CPU time per step) %.3f%n",
          (Double) f.get("cpu_ratio")));
    }
    return b.toString();
  }
}
