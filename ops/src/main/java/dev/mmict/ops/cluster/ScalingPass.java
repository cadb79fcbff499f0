package dev.mmict.ops.cluster;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.cluster.RunListener;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.TrainLoop;
import dev.mmict.worker.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of {@code mmict bench scaling}, run in a fresh JVM that the bench starts (so that each
 * side pays its own JVM start and JIT warm-up, as a user's run does): either the single-process
 * trainer ({@link TrainLoop}, what {@code mmict train --workers 0} runs) or an embedded cluster
 * (its coordinator in this JVM, worker JVMs beneath it, as {@code mmict train --workers N}). It
 * records every step end and writes a {@link ScalingTrace} as JSON. In an interleaved round it
 * takes turns with the other side through a {@link Baton} at its step ends.
 *
 * <p>Arguments: {@code single|cluster CONFIG_FILE STEPS WARMUP_STEPS MICRO_BATCH WORKERS
 * TIMEOUT_SECONDS WORK_DIR TRACE_FILE BATON_DIR|- BLOCK}. Exit code 0 when the trace was written.
 */
public final class ScalingPass {

  private static final Logger LOG = LoggerFactory.getLogger(ScalingPass.class);

  private ScalingPass() { }

  /** Runs the pass the arguments describe; exits with 0 once the trace is written. */
  public static void main(String[] args) {
    int code;
    try {
      stopWithParent();
      code = run(args);
    } catch (Exception | Error e) {
      LOG.error("bench scaling pass {} failed: {}", String.join(" ", args), e.toString(), e);
      code = ExitCodes.UNEXPECTED_FAILURE;
    }
    System.exit(code);
  }

  private static int run(String[] args) throws IOException, InterruptedException {
    if (args.length != 11) {
      throw new IllegalArgumentException("ScalingPass expects 11 arguments (side, config, steps, warm-up, micro-batch,"
          + " workers, timeout seconds, work dir, trace file, baton dir or -, block), got " + args.length);
    }
    String side = args[0];
    Path configFile = Path.of(args[1]);
    int steps = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    int micro = Integer.parseInt(args[4]);
    int workers = Integer.parseInt(args[5]);
    Duration timeout = Duration.ofSeconds(Long.parseLong(args[6]));
    Path dir = Path.of(args[7]);
    Path traceFile = Path.of(args[8]);
    Baton baton = args[9].equals("-") ? null : new Baton(Path.of(args[9]), side.equals("single") ? Baton.SINGLE
        : Baton.CLUSTER, warmup, Integer.parseInt(args[10]), steps, timeout);
    RunConfig config = new ConfigLoader().load(RunConfig.class, configFile, List.of());
    ClusterJob job = ClusterJob.of(config, steps, micro);
    ScalingTrace trace = switch (side) {
      case "single" -> single(job, steps, warmup, baton);
      case "cluster" -> cluster(job, configFile, dir, workers, steps, warmup, timeout, baton);
      default -> throw new IllegalArgumentException("ScalingPass: unknown side '" + side + "' (single or cluster)");
    };
    new ObjectMapper().writeValue(traceFile.toFile(), trace);
    return ExitCodes.OK;
  }

  /** Halts this JVM when the bench that started it ends, so that no pass outlives it. */
  private static void stopWithParent() {
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    parent.ifPresent(p -> p.onExit().thenRun(() -> {
      LOG.error("the bench (process {}) ended: stopping this pass", p.pid());
      Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
    }));
  }

  /** The single-process trainer, loading the backbone as a worker does. */
  private static ScalingTrace single(ClusterJob job, int steps, int warmup, Baton baton) throws IOException {
    RunConfig config = job.config();
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelStore.Loaded loaded = ModelStore.load(job.backbone(), manager, config.seed());
      try (MmictModel model = loaded.model()) {
        model.setTrainable(MmictModel.FINETUNED);
        var t = config.trainer();
        TrainSettings s = new TrainSettings(steps, t.batchSize(), t.lr(), Math.min(t.warmupSteps(), steps),
            t.weightDecay(), config.seed(), 0, t.gradClip(), false);
        TaskMix mix = new TaskMix(job.dataset(), 1, List.of(job.mode()), job.plan().shots(), job.plan().strategy());
        DialogBuilder builder = new DialogBuilder(loaded.tokenizer(), config.model().maxTextTokens());
        List<Long> ends = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        List<Long> jit = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        long[] waitedCpu = {0}; // CPU spent waiting for turns so far, left out of the readings
        long self = ProcessHandle.current().pid();
        new TrainLoop(model, builder).run(manager, List.of(mix), s, (step, total, lr, result) -> {
          long end = System.nanoTime();
          ends.add(end);
          long cpuNow = ProcessCpu.selfNanos();
          cpu.add(cpuNow < 0 ? -1 : cpuNow - waitedCpu[0]);
          if (step == warmup - 1 || step == steps - 1) {
            jit.add(ProcessCpu.compilerNanos(self));
          }
          losses.add(result.loss());
          long waited = takeTurn(baton, step, end);
          waits.add(waited);
          if (waited > 0) {
            waitedCpu[0] += ProcessCpu.selfNanos() - cpuNow;
          }
        });
        LOG.info("single pass: the vision encoder ran on {} visuals, the feature cache served {}",
            model.visualCounts().encoded(), model.visualCounts().served());
        return new ScalingTrace("single", 0, ends, cpu, List.of(), jit, losses, waits);
      }
    }
  }

  /**
   * Waits at {@code step}'s end (read at {@code end}) for this side's turn, if it has to (never
   * without a baton); returns 0 or the nanoseconds from {@code end} until it resumed, so that
   * {@code end} plus the wait is when this side went on.
   */
  private static long takeTurn(Baton baton, long step, long end) {
    if (baton == null) {
      return 0;
    }
    try {
      return baton.afterStep(step) > 0 ? System.nanoTime() - end : 0;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("bench scaling: the baton after step " + step, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("bench scaling: interrupted while waiting for the turn after step " + step, e);
    }
  }

  /** An embedded cluster of {@code workers} worker JVMs, timed at its coordinator's commits. */
  private static ScalingTrace cluster(ClusterJob job, Path configFile, Path dir, int workers, int steps, int warmup,
      Duration timeout, Baton baton) throws IOException, InterruptedException {
    CommitClock clock = new CommitClock(workers, steps, warmup, baton);
    EmbeddedCluster.Result result = EmbeddedCluster.run(job, configFile, dir,
        new EmbeddedCluster.Options(workers, false, timeout, ScalingBenchmark.HEAP_MIB, null, clock));
    if (!result.summary().completed()) {
      throw new IllegalStateException("the " + workers + "-worker cluster run failed: " + result.summary().detail()
          + " (logs under " + dir + ")");
    }
    clock.failure().ifPresent(e -> {
      throw new IllegalStateException("the " + workers + "-worker cluster lost its turn-taking: " + e.getMessage(), e);
    });
    return clock.trace(result.summary().losses());
  }

  /**
   * A cluster's step ends as its coordinator commits them (its run listener, called once the
   * step's audit line is durable), with this JVM's and the worker JVMs' CPU time read at each. The
   * workers are found among this JVM's children when a step is planned before all are known (they
   * have joined by then), so the search costs no timed step. The JIT compiler threads' CPU of all
   * of them is read at the end of the last warm-up step and of the last step only. With a baton it
   * waits for the cluster's turn here, on the coordinator's actor thread, which holds back the next
   * plan; a failed wait is kept (the run goes on untimed) and fails the pass at its end.
   */
  private static final class CommitClock implements RunListener {
    private final int workers;
    private final int steps;
    private final int warmup;
    private final Baton baton;
    private final List<Long> waits = new ArrayList<>();
    /** CPU spent waiting for turns so far (this JVM; this JVM and the workers), left out of the readings. */
    private long waitedSelfCpu;
    private long waitedSideCpu;
    private RuntimeException failure;
    private final List<Long> jit = new ArrayList<>();
    private final List<Long> ends = new ArrayList<>();
    private final List<Long> cpu = new ArrayList<>();
    private final List<Long> coordinatorCpu = new ArrayList<>();
    private List<ProcessHandle> handles = List.of();

    CommitClock(int workers, int steps, int warmup, Baton baton) {
      this.workers = workers;
      this.steps = steps;
      this.warmup = warmup;
      this.baton = baton;
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
      long end = System.nanoTime();
      ends.add(end);
      long self = ProcessCpu.selfNanos();
      long sum = sideCpu(self);
      coordinatorCpu.add(self < 0 ? -1 : self - waitedSelfCpu);
      cpu.add(sum < 0 ? -1 : sum - waitedSideCpu);
      if (step == warmup - 1 || step == steps - 1) {
        long compilers = handles.size() < workers ? -1 : ProcessCpu.compilerNanos(ProcessHandle.current().pid());
        for (ProcessHandle h : handles) {
          long n = ProcessCpu.compilerNanos(h.pid());
          compilers = n < 0 || compilers < 0 ? -1 : compilers + n;
        }
        jit.add(compilers);
      }
      long waited = 0;
      if (failure == null) {
        try {
          waited = takeTurn(baton, step, end);
        } catch (RuntimeException e) {
          failure = e;
        }
      }
      waits.add(waited);
      if (waited > 0) {
        long selfAfter = ProcessCpu.selfNanos();
        waitedSelfCpu += selfAfter - self;
        long sideAfter = sideCpu(selfAfter);
        if (sum >= 0 && sideAfter >= 0) {
          waitedSideCpu += sideAfter - sum;
        }
      }
    }

    /** This JVM's CPU ({@code self}) plus every worker JVM's; -1 while a worker is unknown or unreadable. */
    private long sideCpu(long self) {
      long sum = handles.size() < workers ? -1 : self;
      for (ProcessHandle h : handles) {
        long n = ProcessCpu.nanosOf(h);
        sum = n < 0 || sum < 0 ? -1 : sum + n;
      }
      return sum;
    }

    synchronized Optional<RuntimeException> failure() {
      return Optional.ofNullable(failure);
    }

    synchronized ScalingTrace trace(List<Double> losses) {
      return new ScalingTrace("cluster", workers, ends, cpu, coordinatorCpu, jit, losses, waits);
    }
  }

}
