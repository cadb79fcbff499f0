package dev.mmict.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.sweep.SweepBenchmark;
import dev.mmict.ops.cluster.RecoveryBenchmark;
import dev.mmict.ops.cluster.ScalingBenchmark;
import dev.mmict.ops.run.CacheBenchmark;
import dev.mmict.worker.exchange.ExchangeBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mmict bench …}: measurements that print their figures and, with {@code --report}, write
 * them as JSON with the comparison's {@code "ratio"} at the top and {@code "figures"} for the rest.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmarks that print figures (ratios measured side by side in one run).",
        footer = {"", "Examples:", "  mmict bench exchange --ranks 3 --report exchange.json",
            "  mmict bench cache --steps 8 --report cache.json",
            "  mmict bench recovery --workers 3 --report recovery.json",
            "  mmict bench scaling --report scaling.json",
            "  mmict bench sweep --config examples/sweep-shapes-caption.yaml --report sweep.json"},
        subcommands = {BenchCommand.Exchange.class, BenchCommand.Cache.class, BenchCommand.Recovery.class,
            BenchCommand.Scaling.class, BenchCommand.Sweep.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE_ERROR;
    }

    /** Writes {"ratio": …, "figures": {…}} to {@code report}. */
    /** Prints a bench's figures and, with {@code --report}, writes them as JSON; the exit code. */
    static int emit(CommandSpec spec, String text, Path report, Map<String, Object> figures)
            throws java.io.IOException {
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
        if (report != null) {
            writeReport(report, figures);
        }
        return ExitCodes.OK;
    }

    static void writeReport(Path report, Map<String, Object> figures) throws java.io.IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ratio", figures.get("ratio"));
        Map<String, Object> rest = new LinkedHashMap<>(figures);
        rest.remove("ratio");
        json.put("figures", rest);
        if (report.toAbsolutePath().getParent() != null) {
            Files.createDirectories(report.toAbsolutePath().getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.toFile(), json);
    }

    @Command(name = "exchange", mixinStandardHelpOptions = true,
            description = "Ring all-reduce goodput over loopback TCP against plain sockets moving the same bytes"
                    + " in the same run; ratio = all-reduce / socket-ring goodput (target >= 0.5).",
            footer = {"", "Example:", "  mmict bench exchange --ranks 3 --sizes-mib 4,16 --report exchange.json"})
    static final class Exchange implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--ranks", defaultValue = "3", description = "Ranks in the ring (default ${DEFAULT-VALUE}).")
        int ranks;

        @Option(names = "--sizes-mib", defaultValue = "4,16", split = ",",
                description = "Gradient vector sizes in MiB (default ${DEFAULT-VALUE}).")
        List<Integer> sizes;

        @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations per size (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--report", description = "Write the figures as JSON here.")
        Path report;

        @Override
        public Integer call() throws Exception {
            ExchangeBenchmark.Settings d = ExchangeBenchmark.Settings.DEFAULTS;
            Map<String, Object> figures = ExchangeBenchmark.run(
                    new ExchangeBenchmark.Settings(ranks, sizes, d.warmups(), iterations, d.chunkElements()));
            return emit(spec, ExchangeBenchmark.format(figures), report, figures);
        }
    }

    @Command(name = "cache", mixinStandardHelpOptions = true,
            description = "Fine-tuning time without the frozen-feature cache, with it cold (filling) and with it warm,"
                    + " the same steps from the same backbone in one run, no-cache and warm passes alternating over"
                    + " --rounds; ratio = no-cache / warm-cache time (target >= 3), beside the ratio the vision"
                    + " encoder's share of a step predicts (1 / (1 - share)).",
            footer = {"", "Example:", "  mmict bench cache --steps 8 --rounds 3 --report cache.json",
                "  mmict bench cache --set data.task=shapes-caption --set trainer.batchSize=8"})
    static final class Cache implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        ConfigOptions configuration;

        @Option(names = "--steps", defaultValue = "8", description = "Timed steps per pass (default ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup-steps", defaultValue = "4",
                description = "Untimed steps through each path (no cache, cold, warm) before the timed passes"
                        + " (default ${DEFAULT-VALUE}).")
        int warmupSteps;

        @Option(names = "--rounds", defaultValue = "3",
                description = "Rounds of one no-cache and one warm-cache pass, in alternating order"
                        + " (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--work-dir", paramLabel = "DIR",
                description = "Where the temporary cache directory is made and removed (default: the system temp).")
        Path workDir;

        @Option(names = "--report", description = "Write the figures as JSON here.")
        Path report;

        @Override
        public Integer call() throws Exception {
            RunConfig resolved = configuration.resolve();
            Path work = workDir(workDir);
            Map<String, Object> figures = CacheBenchmark.run(resolved,
                    new CacheBenchmark.Settings(steps, warmupSteps, rounds, work));
            return emit(spec, CacheBenchmark.format(figures), report, figures);
        }
    }

    /** The run configuration a bench works on: {@code --config FILE} and {@code --set KEY=VALUE}. */
    static final class ConfigOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: the defaults).")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key; repeatable.")
        List<String> overrides = new ArrayList<>();

        RunConfig resolve() {
            return new ConfigLoader().load(RunConfig.class, config, overrides);
        }
    }

    /** Where a bench makes its temporary directories: {@code --work-dir}, else the system temp. */
    static Path workDir(Path option) {
        return option != null ? option : Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Command(name = "recovery", mixinStandardHelpOptions = true,
            description = "Trains a local cluster, kill -9s the last worker JVM in the middle of a step and measures"
                    + " the time from the kill to the next committed step, when and by what the death was noticed,"
                    + " and the failure-detector settings; ratio = recovery time / 10 s target (<= 1 meets it).",
            footer = {"", "Example:", "  mmict bench recovery --workers 3 --steps 6 --report recovery.json",
                "  mmict bench recovery --set data.task=shapes-caption --set trainer.batchSize=8 --micro-batch-size 2"})
    static final class Recovery implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        ConfigOptions configuration;

        @Option(names = "--workers", defaultValue = "3", description = "Worker JVMs (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--steps", defaultValue = "6", description = "Steps to train in all (default ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--kill-after-step", defaultValue = "2",
                description = "The kill lands in the step after this one (default ${DEFAULT-VALUE}).")
        int killAfterStep;

        @Option(names = "--kill-delay-ms", defaultValue = "-1",
                description = "Milliseconds after that step's commit; -1: half a step, i.e. mid-step (default).")
        long killDelayMillis;

        @Option(names = "--micro-batch-size", paramLabel = "M",
                description = "Queries per micro-batch (default: as mmict train --workers).")
        Integer microBatchSize;

        @Option(names = "--deterministic", description = "Exact fixed-point exchange.")
        boolean deterministic;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
                description = "The cluster run's limit (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Option(names = "--work-dir", paramLabel = "DIR",
                description = "Where the run's directory (worker logs, audit) is made (default: the system temp).")
        Path workDir;

        @Option(names = "--report", description = "Write the figures as JSON here.")
        Path report;

        @Override
        public Integer call() throws Exception {
            RecoveryBenchmark.Settings settings;
            try {
                settings = new RecoveryBenchmark.Settings(workers, steps, killAfterStep, killDelayMillis, microBatchSize,
                        deterministic, Duration.ofSeconds(timeoutSeconds), workDir(workDir));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            RunConfig resolved = configuration.resolve();
            Map<String, Object> figures = RecoveryBenchmark.run(resolved, settings);
            return emit(spec, RecoveryBenchmark.format(figures), report, figures);
        }
    }

    @Command(name = "scaling", mixinStandardHelpOptions = true,
            description = "The cluster's overhead: the same configuration and steps on the single-process trainer and"
                    + " on a 1-worker local cluster (and a 2-worker one, for information), each pass in fresh JVMs,"
                    + " both sides of a round side by side taking turns (or one after another with --no-interleave);"
                    + " ratio = median time per step, 1-worker cluster / single process (target <= 1.10).",
            footer = {"", "Example:", "  mmict bench scaling --report scaling.json",
                "  mmict bench scaling --set data.task=shapes-caption --set trainer.batchSize=8 --no-two-workers"})
    static final class Scaling implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        ConfigOptions configuration;

        @Option(names = "--steps", defaultValue = "350",
                description = "Steps per pass, warm-up included (default ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup-steps", defaultValue = "300",
                description = "Leading steps of each pass not timed (JVM warm-up), at least 1 (default ${DEFAULT-VALUE}).")
        int warmupSteps;

        @Option(names = "--rounds", defaultValue = "2",
                description = "Passes of each side: side by side when interleaved, else alternated single/cluster,"
                        + " cluster/single, ... (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--interleave", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Run each round's two sides at once, taking turns every --block timed steps, so both"
                        + " are measured in the same minutes (default: on; --no-interleave runs the passes one after"
                        + " another).")
        boolean interleave;

        @Option(names = "--block", paramLabel = "STEPS", defaultValue = "10",
                description = "Timed steps per turn when interleaved (default ${DEFAULT-VALUE}).")
        int block;

        @Option(names = "--micro-batch-size", paramLabel = "M",
                description = "Queries per micro-batch on the cluster (default: the whole batch, like the single process).")
        Integer microBatchSize;

        @Option(names = "--two-workers", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Also time a 2-worker cluster (default: on; --no-two-workers skips it).")
        boolean twoWorkers;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
                description = "Each pass's limit (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Option(names = "--work-dir", paramLabel = "DIR",
                description = "Where the bench's directory (pass logs and traces, worker logs, audits) is made"
                        + " (default: the system temp).")
        Path workDir;

        @Option(names = "--report", description = "Write the figures as JSON here.")
        Path report;

        @Override
        public Integer call() throws Exception {
            ScalingBenchmark.Settings settings;
            try {
                settings = new ScalingBenchmark.Settings(steps, warmupSteps, rounds, microBatchSize, twoWorkers,
                        Duration.ofSeconds(timeoutSeconds), workDir(workDir), interleave, block);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            RunConfig resolved = configuration.resolve();
            Map<String, Object> figures = ScalingBenchmark.run(resolved, settings);
            return emit(spec, ScalingBenchmark.format(figures), report, figures);
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = "Runs one sweep twice in one invocation: --parallel trial JVMs at once (default: the file's"
                    + " budget.parallel, at least 2), then one trial after another; trials finished per hour both"
                    + " ways, and the share of worker-seconds spent in trials ASHA stopped; ratio = parallel /"
                    + " one-at-a-time trials per hour.",
            footer = {"", "Example:", "  mmict bench sweep --config examples/sweep-shapes-caption.yaml --report sweep.json"})
    static final class Sweep implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--config", paramLabel = "FILE", required = true, description = "The sweep file.")
        Path config;

        @Option(names = "--parallel", paramLabel = "N",
                description = "Trials at once in the parallel run (default: budget.parallel, at least 2).")
        Integer parallel;

        @Option(names = "--trial-heap-mib", paramLabel = "MIB", defaultValue = "1024",
                description = "-Xmx of each trial JVM (default ${DEFAULT-VALUE}).")
        int trialHeapMiB;

        @Option(names = "--work-dir", paramLabel = "DIR",
                description = "Where the two sweep directories are made and kept (default: the system temp).")
        Path workDir;

        @Option(names = "--report", description = "Write the figures as JSON here.")
        Path report;

        @Override
        public Integer call() throws Exception {
            SweepDefinition sweep = new SweepConfigLoader().load(config);
            int p = parallel != null ? parallel : Math.max(2, sweep.config().budget().parallel());
            SweepBenchmark.Settings settings;
            try {
                settings = new SweepBenchmark.Settings(p, workDir(workDir), trialHeapMiB);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            Map<String, Object> figures = SweepBenchmark.run(sweep, settings);
            return emit(spec, SweepBenchmark.format(figures), report, figures);
        }
    }
}
