package dev.mmict.ops.cluster;

import ai.djl.ndarray.NDManager;
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
 * a cluster the commits in its sample audit file (polled every few milliseconds). The first
 * {@code warmupSteps} steps of each side are not timed (JIT, caches), nor is any start-up. The
 * single process runs before and after the clusters and its time is the mean of both passes, so a
 * machine that speeds up or slows down during the bench favours neither side.
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

  /** One pass: seconds per timed step and the losses of every step. */
  private record Pass(double secondsPerStep, List<Double> losses) { }

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
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ratio", one.secondsPerStep() / single);
    f.put("target_ratio", 1.10);
    f.put("single_ms_per_step", 1000 * single);
    f.put("single_first_ms_per_step", 1000 * singleFirst.secondsPerStep());
    f.put("single_last_ms_per_step", 1000 * singleLast.secondsPerStep());
    f.put("cluster1_ms_per_step", 1000 * one.secondsPerStep());
    f.put("cluster2_ms_per_step", two == null ? null : 1000 * two.secondsPerStep());
    f.put("cluster2_ratio", two == null ? null : two.secondsPerStep() / single);
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
        List<Double> losses = new ArrayList<>();
        new TrainLoop(model, builder).run(manager, List.of(mix), s, (step, total, lr, result) -> {
          ends.add(System.nanoTime());
          losses.add(result.loss());
        });
        double perStep = perStep(ends, settings.warmupSteps());
        LOG.info("bench scaling: {}: {} ms per step", label, String.format(Locale.ROOT, "%.1f", 1000 * perStep));
        return new Pass(perStep, losses);
      }
    }
  }

  private static Pass cluster(ClusterJob job, RunConfig config, Settings settings, int workers)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(settings.workDir(), "mmict-bench-scaling-" + workers + "w-");
    Path configFile = BenchClusters.writeConfig(config, dir);
    try (CommitWatcher commits = new CommitWatcher(dir.resolve("audit.jsonl"), RecoveryBenchmark.POLL)) {
      CompletableFuture<EmbeddedCluster.Result> run = BenchClusters.start(job, configFile, dir,
          new EmbeddedCluster.Options(workers, false, settings.timeout(), 2048));
      EmbeddedCluster.Result result = run.get(settings.timeout().toSeconds() + 30, TimeUnit.SECONDS);
      if (!result.summary().completed()) {
        throw new IllegalStateException("the " + workers + "-worker cluster run failed: " + result.summary().detail()
            + " (logs under " + dir + ")");
      }
      List<Long> ends = commits.commitNanos();
      if (ends.size() < settings.steps()) {
        // The last commit may land between two polls of the file: look once more.
        Thread.sleep(2 * RecoveryBenchmark.POLL.toMillis());
        ends = commits.commitNanos();
      }
      double perStep = perStep(ends, settings.warmupSteps());
      LOG.info("bench scaling: {}-worker cluster: {} ms per step", workers,
          String.format(Locale.ROOT, "%.1f", 1000 * perStep));
      return new Pass(perStep, result.summary().losses());
    } catch (ExecutionException e) {
      throw new IllegalStateException("the " + workers + "-worker cluster run failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the " + workers + "-worker cluster run did not end within "
          + settings.timeout(), e);
    }
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
    b.append(String.format(Locale.ROOT, "  ratio (1-worker cluster / single process) %.3f (target <= %.2f)%n",
        (Double) f.get("ratio"), (Double) f.get("target_ratio")));
    return b.toString();
  }
}
