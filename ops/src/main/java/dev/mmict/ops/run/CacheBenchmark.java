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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mmict bench cache}: the same bounded stretch of MMICT fine-tuning (the run's config, the
 * first {@code steps} steps of its first epoch) timed in one process, each pass from a freshly
 * loaded backbone: once with an empty on-disk cache (filling it), then in {@code rounds} rounds
 * of one pass with no feature cache (the vision encoder runs on every visual) and one with the
 * warm cache, the order alternating from round to round (no cache first in odd rounds), so that a
 * machine that speeds up or slows down during the bench favours neither side. Untimed warm-up
 * passes through all three paths go first so that no pass pays for JIT warm-up. The ratio is the
 * total no-cache time over the total warm-cache time. The model also times its vision encoder,
 * so the no-cache passes give the encoder's share of a step and the ratio a cache that removes
 * exactly that time gives ({@code encoder_only_ratio} = 1 / (1 − share), Amdahl's law), beside
 * the ratio measured.
 */
public final class CacheBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(CacheBenchmark.class);

  private CacheBenchmark() { }

  /**
   * @param steps timed steps per pass
   * @param warmupSteps untimed steps before the passes
   * @param rounds rounds of one no-cache and one warm-cache pass
   * @param workDir where the temporary cache directory is made (and removed afterwards)
   */
  public record Settings(int steps, int warmupSteps, int rounds, Path workDir) {
    /** Checks the counts. */
    public Settings {
      if (steps < 1 || warmupSteps < 0 || rounds < 1) {
        throw new IllegalArgumentException("bench cache needs --steps >= 1, --warmup-steps >= 0 and --rounds >= 1,"
            + " got " + steps + ", " + warmupSteps + ", " + rounds);
      }
    }
  }

  /**
   * What one pass measured: wall-clock and process CPU seconds, seconds in the vision encoder,
   * losses, cache counters (null without a cache).
   */
  private record Pass(double seconds, double cpuSeconds, double encoderSeconds, double[] losses,
      DiskFeatureCache.Stats stats) { }

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
      Pass cold = pass(config, task, settings.steps(), cacheRoot, "cold cache");
      List<Pass> off = new ArrayList<>();
      List<Pass> warm = new ArrayList<>();
      for (int r = 1; r <= settings.rounds(); r++) {
        String round = " (round " + r + "/" + settings.rounds() + ")";
        boolean offFirst = r % 2 == 1;
        if (offFirst) {
          off.add(pass(config, task, settings.steps(), null, "no cache" + round));
        }
        warm.add(pass(config, task, settings.steps(), cacheRoot, "warm cache" + round));
        if (!offFirst) {
          off.add(pass(config, task, settings.steps(), null, "no cache" + round));
        }
      }
      return figures(config, task, settings, off, cold, warm, cacheRoot);
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
        long encoderStart = model.encoderNanos();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        List<TrainingStep.Result> results;
        try (TrainingProgress progress = new TrainingProgress(Progress.forConsole(), "bench cache: " + label)) {
          results = new TrainLoop(model, builder).run(manager, List.of(mix), s, progress);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (processCpuNanos() - cpuStart) / 1e9;
        double encoder = (model.encoderNanos() - encoderStart) / 1e9;
        DiskFeatureCache.Stats stats = store == null ? null : store.stats();
        LOG.info("bench cache: {} pass, {} steps in {} ({} s of CPU)", label, steps, ProgressLog.duration(seconds),
            String.format(Locale.ROOT, "%.2f", cpu));
        return new Pass(seconds, cpu, encoder, results.stream().mapToDouble(TrainingStep.Result::loss).toArray(), stats);
      }
    }
  }

  private static Map<String, Object> figures(RunConfig config, TaskHandle task, Settings settings, List<Pass> off,
      Pass cold, List<Pass> warm, Path cacheRoot) throws IOException {
    int steps = settings.steps();
    double offSeconds = sum(off, Pass::seconds);
    double warmSeconds = sum(warm, Pass::seconds);
    double offMean = offSeconds / off.size();
    double warmMean = warmSeconds / warm.size();
    double encoderShare = sum(off, Pass::encoderSeconds) / offSeconds;
    int batch = config.trainer().batchSize();
    int queries = new DemoSampler(task.dataset(), Dataset.TRAIN).epochOrder(config.seed(), 0).length;
    double epochSteps = Math.ceil((double) queries / batch);
    double maxLossDiff = 0;
    for (int i = 0; i < steps; i++) {
      maxLossDiff = Math.max(maxLossDiff, Math.abs(off.get(0).losses()[i] - warm.get(0).losses()[i]));
    }
    List<Double> roundRatios = new ArrayList<>();
    for (int r = 0; r < off.size(); r++) {
      roundRatios.add(off.get(r).seconds() / warm.get(r).seconds());
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ratio", offSeconds / warmSeconds);
    f.put("encoder_only_ratio", 1 / (1 - encoderShare));
    f.put("encoder_share", encoderShare);
    f.put("round_ratios", roundRatios);
    f.put("cold_ratio", offMean / cold.seconds());
    f.put("cpu_ratio", sum(off, Pass::cpuSeconds) / sum(warm, Pass::cpuSeconds));
    f.put("task", task.name());
    f.put("backbone", config.model().backbone());
    f.put("mode", config.trainer().mode());
    f.put("steps", steps);
    f.put("rounds", settings.rounds());
    f.put("batch_size", batch);
    f.put("visuals_per_pass", warm.get(0).stats().hits() + warm.get(0).stats().misses());
    f.put("no_cache_s", offMean);
    f.put("no_cache_rounds_s", off.stream().map(Pass::seconds).toList());
    f.put("cold_cache_s", cold.seconds());
    f.put("warm_cache_s", warmMean);
    f.put("warm_cache_rounds_s", warm.stream().map(Pass::seconds).toList());
    f.put("no_cache_cpu_s", sum(off, Pass::cpuSeconds) / off.size());
    f.put("cold_cache_cpu_s", cold.cpuSeconds());
    f.put("warm_cache_cpu_s", sum(warm, Pass::cpuSeconds) / warm.size());
    f.put("no_cache_ms_per_step", 1000 * offMean / steps);
    f.put("encoder_ms_per_step", 1000 * sum(off, Pass::encoderSeconds) / off.size() / steps);
    f.put("cold_cache_ms_per_step", 1000 * cold.seconds() / steps);
    f.put("warm_cache_ms_per_step", 1000 * warmMean / steps);
    f.put("warm_cache_encoder_s", sum(warm, Pass::encoderSeconds));
    f.put("epoch_queries", queries);
    f.put("epoch_estimate_no_cache_s", epochSteps * offMean / steps);
    f.put("epoch_estimate_warm_cache_s", epochSteps * warmMean / steps);
    f.put("time_saved_share", 1 - warmSeconds / offSeconds);
    f.put("cache_records", cold.stats().writes());
    f.put("cache_bytes", treeSize(cacheRoot));
    f.put("warm_misses", warm.stream().mapToLong(p -> p.stats().misses()).sum());
    f.put("cold_warm_losses_identical", warm.stream().allMatch(p -> Arrays.equals(cold.losses(), p.losses())));
    f.put("no_cache_rounds_identical", off.stream().allMatch(p -> Arrays.equals(off.get(0).losses(), p.losses())));
    f.put("max_loss_diff_no_cache_vs_warm", maxLossDiff);
    f.put("warmup_steps", settings.warmupSteps());
    f.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    return f;
  }

  private static double sum(List<Pass> passes, ToDoubleFunction<Pass> figure) {
    return passes.stream().mapToDouble(figure).sum();
  }

  /** The figures as lines for the terminal. */
  @SuppressWarnings("unchecked")
  public static String format(Map<String, Object> f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "bench cache: %s (%s, %s), %d steps of %d dialogs, %d visuals per pass,"
        + " %d round(s)%n", f.get("task"), f.get("mode"), f.get("backbone"), (Integer) f.get("steps"),
        (Integer) f.get("batch_size"), (Long) f.get("visuals_per_pass"), (Integer) f.get("rounds")));
    b.append(String.format(Locale.ROOT, "  no cache     %8.2f s  (%7.1f ms/step, of which the vision encoder %.1f ms;"
        + " rounds %s s)%n", (Double) f.get("no_cache_s"), (Double) f.get("no_cache_ms_per_step"),
        (Double) f.get("encoder_ms_per_step"), joined((List<Double>) f.get("no_cache_rounds_s"), "%.2f")));
    b.append(String.format(Locale.ROOT, "  cold cache   %8.2f s  (%7.1f ms/step, fills %d records, %d bytes)%n",
        (Double) f.get("cold_cache_s"), (Double) f.get("cold_cache_ms_per_step"), (Long) f.get("cache_records"),
        (Long) f.get("cache_bytes")));
    b.append(String.format(Locale.ROOT, "  warm cache   %8.2f s  (%7.1f ms/step, %d misses; rounds %s s)%n",
        (Double) f.get("warm_cache_s"), (Double) f.get("warm_cache_ms_per_step"), (Long) f.get("warm_misses"),
        joined((List<Double>) f.get("warm_cache_rounds_s"), "%.2f")));
    b.append(String.format(Locale.ROOT, "  epoch (%d queries) estimated: %.0f s without, %.0f s with a warm cache%n",
        (Integer) f.get("epoch_queries"), (Double) f.get("epoch_estimate_no_cache_s"),
        (Double) f.get("epoch_estimate_warm_cache_s")));
    b.append(String.format(Locale.ROOT, "  losses: cold == warm %s, no-cache rounds equal %s, max |no cache - warm|"
        + " %.3g%n", f.get("cold_warm_losses_identical"), f.get("no_cache_rounds_identical"),
        (Double) f.get("max_loss_diff_no_cache_vs_warm")));
    b.append(String.format(Locale.ROOT, "  CPU time per pass: %.2f s no cache, %.2f s cold, %.2f s warm: %.2fx%n",
        (Double) f.get("no_cache_cpu_s"), (Double) f.get("cold_cache_cpu_s"), (Double) f.get("warm_cache_cpu_s"),
        (Double) f.get("cpu_ratio")));
    b.append(String.format(Locale.ROOT, "  the vision encoder took %.0f%% of a no-cache step: removing exactly that"
        + " time gives %.2fx%n", 100 * (Double) f.get("encoder_share"), (Double) f.get("encoder_only_ratio")));
    b.append(String.format(Locale.ROOT, "  ratio (no cache / warm cache) %.2fx (rounds %s); cold %.2fx; time saved"
        + " per step %.0f%%%n", (Double) f.get("ratio"), joined((List<Double>) f.get("round_ratios"), "%.2fx"),
        (Double) f.get("cold_ratio"), 100 * (Double) f.get("time_saved_share")));
    return b.toString();
  }

  private static String joined(List<Double> values, String format) {
    return values.stream().map(v -> String.format(Locale.ROOT, format, v)).collect(Collectors.joining(" "));
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
