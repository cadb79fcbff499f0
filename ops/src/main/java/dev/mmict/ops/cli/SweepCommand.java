package dev.mmict.ops.cli;

import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.LogContext;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.sweep.PoolLink;
import dev.mmict.ops.sweep.SweepLeaseHolder;
import dev.mmict.ops.sweep.SweepRunner;
import dev.mmict.ops.sweep.TrialTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmict sweep}: loads and checks a sweep file, then runs its trials (each in its own JVM, ASHA
 * stopping the weak ones at rungs) with durable state in the output directory, so that running it
 * again continues the sweep; {@code --dry-run} prints the resolved trials instead. One process runs
 * a directory at a time (its lease); {@code --standby} waits for that process to stop renewing the
 * lease and takes the sweep over.
 */
@Command(name = "sweep",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Hyperparameter sweep with ASHA early stopping: each trial stretch runs in its own JVM,"
                + " budget.parallel trials at once, on a pool of worker JVMs kept across trials when"
                + " budget.workersPerTrial >= 2; results.md/json, objective.png and best-config.yaml go to --out. Run it"
                + " again with the same --config and --out to continue a stopped sweep. One process runs an --out"
                + " directory at a time (it holds a lease there); --standby waits and takes over when it dies.",
        footer = {
            "%nExamples:",
            "  mmict sweep --config examples/sweep-shapes-caption.yaml --dry-run",
            "  mmict sweep --config examples/sweep-shapes-caption.yaml --out runs/sweep-caption",
            "  mmict sweep --config examples/sweep-shapes-caption.yaml --out /shared/sweep-caption --standby",
            "  mmict sweep --config examples/sweep-shapes-caption.yaml --out /shared/sweep-caption \\",
            "      --pool-listen 10.0.0.5:7355    # then on other machines: mmict worker --pool-join 10.0.0.5:7355",
            "%nThe sweep file's syntax is in docs/sweeps.md."
        })
final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--config", paramLabel = "FILE", required = true,
            description = "The sweep file: base run config, search space, budget, objective, scheduler, seed.")
    Path config;

    @Option(names = "--dry-run",
            description = "Check the sweep file, print every trial's parameters, and stop.")
    boolean dryRun;

    @Option(names = "--out", paramLabel = "DIR",
            description = "The sweep's directory: state, trials, results (default: runs/sweep-<sweep file name>).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write the results as JSON here (default: only <out>/results.json).")
    Path report;

    @Option(names = "--max-restarts", paramLabel = "N", defaultValue = "2",
            description = "Restarts of a trial process that died, in a row, before the trial fails (default ${DEFAULT-VALUE}).")
    int maxRestarts;

    @Option(names = "--trial-heap-mib", paramLabel = "MIB", defaultValue = "1024",
            description = "-Xmx of each trial JVM (default ${DEFAULT-VALUE}).")
    int trialHeapMiB;

    @Option(names = "--worker-heap-mib", paramLabel = "MIB", defaultValue = "2048",
            description = "-Xmx of each pool worker JVM (budget.workersPerTrial >= 2; default ${DEFAULT-VALUE}).")
    int workerHeapMiB;

    @Option(names = "--pool-listen", paramLabel = "HOST:PORT", defaultValue = SweepRunner.Options.LOCAL_POOL,
            description = {"Where the worker pool (budget.workersPerTrial >= 2) listens for pool workers, written to"
                + " <out>/pool/endpoint (default ${DEFAULT-VALUE}: loopback, a free port, workers of this machine"
                + " only). To take workers from other machines ('mmict worker --pool-join HOST:PORT'), give an"
                + " address of this machine they reach and a fixed port."})
    String poolListen;

    @Option(names = "--standby",
            description = "If another process runs the sweep in --out, wait until it stops renewing its lease"
                    + " (it died) and continue the sweep from its durable state; without it such a start is refused"
                    + " (exit 5).")
    boolean standby;

    @Option(names = "--standby-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "With --standby: how long to wait at most before giving up with exit 5 (default ${DEFAULT-VALUE}).")
    long standbyTimeoutSeconds;

    @Option(names = "--lease-timeout", paramLabel = "SECONDS", defaultValue = "15",
            description = "A sweep process renews its lease in --out every third of this; one that has not renewed"
                    + " for this long is taken over by a standby (default ${DEFAULT-VALUE}). Give every process of"
                    + " the sweep the same value.")
    long leaseTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        SweepDefinition sweep = new SweepConfigLoader().load(config);
        PrintWriter stdout = spec.commandLine().getOut();
        if (dryRun) {
            stdout.print(TrialTable.dryRun(sweep));
            stdout.flush();
            return ExitCodes.OK;
        }
        if (leaseTimeoutSeconds < 1 || leaseTimeoutSeconds > 3600) {
            throw new CommandFailure(ExitCodes.USAGE_ERROR, "--lease-timeout must be in 1..3600 seconds, got "
                    + leaseTimeoutSeconds, null);
        }
        if (standbyTimeoutSeconds < 1) {
            throw new CommandFailure(ExitCodes.USAGE_ERROR, "--standby-timeout must be >= 1 second, got "
                    + standbyTimeoutSeconds, null);
        }
        SweepLeaseHolder.Settings lease = new SweepLeaseHolder.Settings(Duration.ofSeconds(leaseTimeoutSeconds),
                standby, Duration.ofSeconds(standbyTimeoutSeconds));
        try {
            PoolLink.endpoint(poolListen, "--pool-listen");
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.USAGE_ERROR, e.getMessage(), e);
        }
        Path dir = out != null ? out : defaultOut(config);
        SweepRunner.Outcome outcome;
        try (LogContext context = LogContext.open(String.valueOf(dir.toAbsolutePath().normalize().getFileName()),
                "sweep")) {
            outcome = new SweepRunner(sweep, new SweepRunner.Options(dir, sweep.config().budget().parallel(),
                    maxRestarts, trialHeapMiB, 0, workerHeapMiB, poolListen), lease, SweepRunner.Listener.NONE).run();
        }
        if (report != null) {
            if (report.toAbsolutePath().getParent() != null) {
                Files.createDirectories(report.toAbsolutePath().getParent());
            }
            Files.copy(outcome.results().json(), report, StandardCopyOption.REPLACE_EXISTING);
        }
        stdout.print(Files.readString(outcome.results().markdown()));
        stdout.printf("results: %s (state %s, %.0f s)%n", dir, outcome.finished() ? "finished" : "stopped",
                outcome.wallSeconds());
        stdout.flush();
        if (outcome.state().trials().stream().allMatch(t -> t.status() == TrialStatus.FAILED)) {
            throw new CommandFailure(ExitCodes.UNEXPECTED_FAILURE, "every trial failed; the first: "
                    + outcome.state().trials().get(0).failure(), null);
        }
        return ExitCodes.OK;
    }

    /** {@code runs/sweep-<file name without extension>}: the same sweep file finds its state again. */
    static Path defaultOut(Path sweepFile) {
        String name = sweepFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return Path.of("runs", "sweep-" + (dot > 0 ? name.substring(0, dot) : name));
    }
}
