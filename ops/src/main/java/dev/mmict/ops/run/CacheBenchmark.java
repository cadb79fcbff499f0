package dev.mmict.ops.run;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.ops.progress.Progress;
import dev.mmict.ops.progress.TrainingProgress;
import dev.mmict.storage.cache.DiskFeatureCache;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.worker.features.DiskFeatureStore;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.TrainLoop;
import dev.mmict.worker.train.TrainSettings;
import dev.mmict.worker.train.TrainingStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mmict bench cache}: the same bounded stretch of MMICT fine-tuning (the run's config, the
 * first {@code steps} steps of its first epoch) timed three times in one process, each from a
 * freshly loaded backbone: with no feature cache (the vision encoder runs on every visual), with
 * an empty on-disk cache (filling it), with that cache warm, and once more with no cache. Untimed
 * warm-up passes through all three paths go first so that no pass pays for JIT warm-up; the
 * no-cache time is the mean of the first and last passes, so a machine that speeds up or slows
 * down during the bench does not favour either side. The ratio is no-cache time over warm-cache
 * time; full-epoch times are estimated from the per-step times.
 */
public final class CacheBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(CacheBenchmark.class);

  private CacheBenchmark() { }

  /**
   * @param steps timed steps per pass
   * @param warmupSteps untimed steps before the passes
   * @param workDir where the temporary cache directory is made (and removed afterwards)
   */
  public record Settings(int steps, int warmupSteps, Path workDir) {
    /** Checks the counts. */
    public Settings {
      if (steps < 1 || warmupSteps < 0) {
        throw new IllegalArgumentException("bench cache needs steps >= 1 and warm-up steps >= 0, got " + steps
            + ", " + warmupSteps);
      }
    }
  }

  /** What one pass measured: wall-clock and process CPU seconds, losses, cache counters. */
  private record Pass(double seconds, double cpuSeconds, double[] losses, DiskFeatureCache.Stats stats) { }

  /** Runs the passes; returns the figures, {@code ratio} first. */
  public static Map<String, Object> run(RunConfig config, Settings settings) throws IOException {
    TaskHandle task = TaskHandle.open(config.data().task()); // built-in or YAML task only
    Files.createDirectories(settings.workDir());
    Path cacheRoot = Files.createTempDirectory(settings.workDir(), "mmict-bench-cache-");
    try {
      if (settings.warmupSteps() > 0) {
        // Every code path once (no cache, filling, serving) in a throwaway directory, so that JIT
        // compilation of the cache code is not charged to the timed cold pass.
        Path warmupRoot = Files.createDirectories(cacheRoot.resolve("warm-up"));
        pass(config, task, settings.warmupSteps(), null, "warm-up (no cache)");
        pass(config, task, settings.warmupSteps(), warmupRoot, "warm-up (cold)");
        pass(config, task, settings.warmupSteps(), warmupRoot, "warm-up (warm)");
        Directories.deleteTree(warmupRoot);
      }
      Pass before = pass(config, task, settings.steps(), null, "no cache");
      Pass cold = pass(config, task, settings.steps(), cacheRoot, "cold cache");
      Pass warm = pass(config, task, settings.steps(), cacheRoot, "warm cache");
      Pass after = pass(config, task, settings.steps(), null, "no cache (again)");
      return figures(config, task, settings, before, after, cold, warm, cacheRoot);
    } finally {
      Directories.deleteTree(cacheRoot);
    }
  }

  private static Pass pass(RunConfig config, TaskHandle task, int steps, Path cacheRoot, String label) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelStore.Loaded bb = Backbones.load(config, manager);
      try (MmictModel model = bb.model()) {
        model.setTrainable(MmictModel.FINETUNED);
        DiskFeatureStore store = null;
        if (cacheRoot == null) {
          model.setFeatureStore(null);
        } else {
          VitConfig v = model.config().vision();
          store = new DiskFeatureStore(cacheRoot, v.tokensPerImage(), v.width(), DiskFeatureCache.Options.DEFAULTS);
          model.setFeatureStore(store);
        }
        var t = config.trainer();
        TrainSettings s = new TrainSettings(steps, t.batchSize(), t.lr(), Math.min(t.warmupSteps(), steps),
            t.weightDecay(), config.seed(), 0, t.gradClip(), false);
        TaskMix mix = new TaskMix(task.dataset(), 1, List.of(dev.mmict.hub.assembly.Mode.parse(t.mode())),
            task.shots(config.data()), task.strategy(config.data()));
        DialogBuilder builder = new DialogBuilder(bb.tokenizer(), config.model().maxTextTokens());
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        List<TrainingStep.Result> results;
        try (TrainingProgress progress = new TrainingProgress(Progress.forConsole(), "bench cache: " + label)) {
          results = new TrainLoop(model, builder).run(manager, List.of(mix), s, progress);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (processCpuNanos() - cpuStart) / 1e9;
        DiskFeatureCache.Stats stats = store == null ? null : store.stats();
        LOG.info("bench cache: {} pass, {} steps in {} ({} s of CPU)", label, steps, ProgressLog.duration(seconds),
            String.format(Locale.ROOT, "%.2f", cpu));
        return new Pass(seconds, cpu, results.stream().mapToDouble(TrainingStep.Result::loss).toArray(), stats);
      }
    }
  }

  private static Map<String, Object> figures(RunConfig config, TaskHandle task, Settings settings, Pass before,
      Pass after, Pass cold, Pass warm, Path cacheRoot) throws IOException {
    int steps = settings.steps();
    Pass off = new Pass((before.seconds() + after.seconds()) / 2, (before.cpuSeconds() + after.cpuSeconds()) / 2,
        before.losses(), null);
    int batch = config.trainer().batchSize();
    int queries = new DemoSampler(task.dataset(), Dataset.TRAIN).epochOrder(config.seed(), 0).length;
    double epochSteps = Math.ceil((double) queries / batch);
    double maxLossDiff = 0;
    for (int i = 0; i < steps; i++) {
      maxLossDiff = Math.max(maxLossDiff, Math.abs(off.losses()[i] - warm.losses()[i]));
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ratio", off.seconds() / warm.seconds());
    f.put("cold_ratio", off.seconds() / cold.seconds());
    f.put("cpu_ratio", off.cpuSeconds() / warm.cpuSeconds());
    f.put("task", task.name());
    f.put("backbone", config.model().backbone());
    f.put("mode", config.trainer().mode());
    f.put("steps", steps);
    f.put("batch_size", batch);
    f.put("visuals_per_pass", warm.stats().hits() + warm.stats().misses());
    f.put("no_cache_s", off.seconds());
    f.put("no_cache_first_s", before.seconds());
    f.put("no_cache_last_s", after.seconds());
    f.put("cold_cache_s", cold.seconds());
    f.put("warm_cache_s", warm.seconds());
    f.put("no_cache_cpu_s", off.cpuSeconds());
    f.put("cold_cache_cpu_s", cold.cpuSeconds());
    f.put("warm_cache_cpu_s", warm.cpuSeconds());
    f.put("no_cache_ms_per_step", 1000 * off.seconds() / steps);
    f.put("cold_cache_ms_per_step", 1000 * cold.seconds() / steps);
    f.put("warm_cache_ms_per_step", 1000 * warm.seconds() / steps);
    f.put("epoch_queries", queries);
    f.put("epoch_estimate_no_cache_s", epochSteps * off.seconds() / steps);
    f.put("epoch_estimate_warm_cache_s", epochSteps * warm.seconds() / steps);
    f.put("time_saved_share", 1 - warm.seconds() / off.seconds());
    f.put("cache_records", cold.stats().writes());
    f.put("cache_bytes", treeSize(cacheRoot));
    f.put("warm_misses", warm.stats().misses());
    f.put("cold_warm_losses_identical", java.util.Arrays.equals(cold.losses(), warm.losses()));
    f.put("max_loss_diff_no_cache_vs_warm", maxLossDiff);
    f.put("warmup_steps", settings.warmupSteps());
    f.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    return f;
  }

  /** The figures as lines for the terminal. */
  public static String format(Map<String, Object> f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "bench cache: %s (%s, %s), %d steps of %d dialogs, %d visuals per pass%n",
        f.get("task"), f.get("mode"), f.get("backbone"), (Integer) f.get("steps"), (Integer) f.get("batch_size"),
        (Long) f.get("visuals_per_pass")));
    b.append(String.format(Locale.ROOT, "  no cache     %8.2f s  (%7.1f ms/step; mean of %.2f s first, %.2f s last)%n",
        (Double) f.get("no_cache_s"), (Double) f.get("no_cache_ms_per_step"), (Double) f.get("no_cache_first_s"),
        (Double) f.get("no_cache_last_s")));
    b.append(String.format(Locale.ROOT, "  cold cache   %8.2f s  (%7.1f ms/step, fills %d records, %d bytes)%n",
        (Double) f.get("cold_cache_s"), (Double) f.get("cold_cache_ms_per_step"), (Long) f.get("cache_records"),
        (Long) f.get("cache_bytes")));
    b.append(String.format(Locale.ROOT, "  warm cache   %8.2f s  (%7.1f ms/step, %d misses)%n",
        (Double) f.get("warm_cache_s"), (Double) f.get("warm_cache_ms_per_step"), (Long) f.get("warm_misses")));
    b.append(String.format(Locale.ROOT, "  epoch (%d queries) estimated: %.0f s without, %.0f s with a warm cache%n",
        (Integer) f.get("epoch_queries"), (Double) f.get("epoch_estimate_no_cache_s"),
        (Double) f.get("epoch_estimate_warm_cache_s")));
    b.append(String.format(Locale.ROOT, "  losses: cold == warm %s, max |no cache - warm| %.3g%n",
        f.get("cold_warm_losses_identical"), (Double) f.get("max_loss_diff_no_cache_vs_warm")));
    b.append(String.format(Locale.ROOT, "  CPU time: %.2f s no cache, %.2f s cold, %.2f s warm: %.2fx%n",
        (Double) f.get("no_cache_cpu_s"), (Double) f.get("cold_cache_cpu_s"), (Double) f.get("warm_cache_cpu_s"),
        (Double) f.get("cpu_ratio")));
    b.append(String.format(Locale.ROOT, "  ratio (no cache / warm cache) %.2fx; cold %.2fx; time saved per step"
        + " %.0f%%%n", (Double) f.get("ratio"), (Double) f.get("cold_ratio"), 100 * (Double) f.get("time_saved_share")));
    return b.toString();
  }

  /**
   * CPU time of the whole process (every thread, GC included): unlike wall-clock time it does not
   * grow when other processes compete for the cores, which on a shared machine is what makes the
   * wall-clock ratio noisy.
   */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  private static long treeSize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }
}
