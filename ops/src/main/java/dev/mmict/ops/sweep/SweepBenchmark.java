package dev.mmict.ops.sweep;

import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.config.SweepDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mmict bench sweep}: the same sweep run twice in one invocation, with {@code parallel}
 * trial processes at once and then one trial after another, each in a fresh directory; figures are
 * trials finished per hour of wall time for both (the ratio is parallel / sequential) and the share
 * of worker-seconds spent in trials that ASHA stopped.
 *
 * <p>ASHA decides on arrival, so the two runs may stop different trials (arrival order differs);
 * both runs' counts are reported.
 */
public final class SweepBenchmark {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private SweepBenchmark() {
    }

    /**
     * How the bench runs.
     *
     * @param parallel trial processes at once in the parallel run (>= 2)
     * @param workDir where the two sweep directories are made (kept, for inspection)
     * @param trialHeapMiB -Xmx of each trial JVM
     */
    public record Settings(int parallel, Path workDir, int trialHeapMiB) {

        /** Checks the count. */
        public Settings {
            if (parallel < 2) {
                throw new IllegalArgumentException("--parallel must be >= 2 to compare with one at a time, got "
                        + parallel);
            }
        }
    }

    /** Runs the sweep both ways and returns the figures, {@code ratio} first. */
    public static Map<String, Object> run(SweepDefinition sweep, Settings settings)
            throws IOException, InterruptedException {
        Path root = settings.workDir().resolve("sweep-bench-" + LocalDateTime.now().format(STAMP));
        Files.createDirectories(root);
        SweepRunner.Outcome parallel = new SweepRunner(sweep, new SweepRunner.Options(root.resolve("parallel"),
                settings.parallel(), 2, settings.trialHeapMiB()), SweepRunner.Listener.NONE).run();
        // One trial at a time needs one group: the sequential run's pool (K >= 2) has workersPerTrial workers.
        SweepRunner.Outcome sequential = new SweepRunner(sweep, new SweepRunner.Options(root.resolve("sequential"),
                1, 2, settings.trialHeapMiB(), sweep.config().budget().workersPerTrial(), 2048),
                SweepRunner.Listener.NONE).run();
        return figures(sweep.trials().size(), settings.parallel(), parallel, sequential, root);
    }

    /** The figures of two finished runs of the same sweep. */
    static Map<String, Object> figures(int trials, int parallel, SweepRunner.Outcome par, SweepRunner.Outcome seq,
            Path root) {
        double parPerHour = trials / (par.wallSeconds() / 3600.0);
        double seqPerHour = trials / (seq.wallSeconds() / 3600.0);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ratio", parPerHour / seqPerHour);
        f.put("trials", trials);
        f.put("parallel", parallel);
        f.put("cpus", Runtime.getRuntime().availableProcessors());
        f.put("parallel_wall_seconds", par.wallSeconds());
        f.put("sequential_wall_seconds", seq.wallSeconds());
        f.put("parallel_trials_per_hour", parPerHour);
        f.put("sequential_trials_per_hour", seqPerHour);
        f.put("parallel_worker_seconds", workerSeconds(par.state(), null));
        f.put("sequential_worker_seconds", workerSeconds(seq.state(), null));
        f.put("parallel_stopped_trials", par.state().withStatus(TrialStatus.STOPPED).size());
        f.put("sequential_stopped_trials", seq.state().withStatus(TrialStatus.STOPPED).size());
        f.put("parallel_stopped_share", stoppedShare(par.state()));
        f.put("sequential_stopped_share", stoppedShare(seq.state()));
        f.put("failed_trials", par.state().withStatus(TrialStatus.FAILED).size()
                + seq.state().withStatus(TrialStatus.FAILED).size());
        f.put("dir", root.toString());
        return f;
    }

    /** Worker-seconds of the trials ASHA stopped, as a share of all worker-seconds (0 when none were spent). */
    static double stoppedShare(SweepState state) {
        double all = workerSeconds(state, null);
        return all == 0 ? 0 : workerSeconds(state, TrialStatus.STOPPED) / all;
    }

    private static double workerSeconds(SweepState state, TrialStatus only) {
        return state.trials().stream().filter(t -> only == null || t.status() == only)
                .mapToDouble(TrialRecord::workerSeconds).sum();
    }

    /** The figures as text. */
    public static String format(Map<String, Object> f) {
        return String.format(Locale.ROOT, "sweep bench: %d trials, %d CPUs (directories in %s)%n"
                        + "  %d at once:     %8.1f s wall, %8.1f trials/hour, %d stopped by ASHA, %.1f%% of"
                        + " %.0f worker-seconds in stopped trials%n"
                        + "  one at a time: %8.1f s wall, %8.1f trials/hour, %d stopped by ASHA, %.1f%% of"
                        + " %.0f worker-seconds in stopped trials%n"
                        + "  ratio (trials/hour, %d at once / one at a time): %.2f%n",
                (Integer) f.get("trials"), (Integer) f.get("cpus"), f.get("dir"),
                (Integer) f.get("parallel"), (Double) f.get("parallel_wall_seconds"),
                (Double) f.get("parallel_trials_per_hour"), (Integer) f.get("parallel_stopped_trials"),
                100 * (Double) f.get("parallel_stopped_share"), (Double) f.get("parallel_worker_seconds"),
                (Double) f.get("sequential_wall_seconds"), (Double) f.get("sequential_trials_per_hour"),
                (Integer) f.get("sequential_stopped_trials"), 100 * (Double) f.get("sequential_stopped_share"),
                (Double) f.get("sequential_worker_seconds"), (Integer) f.get("parallel"), (Double) f.get("ratio"));
    }
}
