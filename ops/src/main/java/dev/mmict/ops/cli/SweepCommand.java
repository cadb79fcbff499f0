package dev.mmict.ops.cli;

import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.sweep.TrialTable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmict sweep}: loads and checks a sweep file; {@code --dry-run} prints the resolved
 * trials. Running the trials on the cluster is not wired yet: without {@code --dry-run} a valid
 * sweep says so and exits 2.
 */
@Command(name = "sweep",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Hyperparameter sweep with ASHA early stopping (--dry-run: check the sweep file and"
                + " print its trials; running them on the cluster is not available yet).",
        footer = {
            "%nExamples:",
            "  mmict sweep --config examples/sweep-shapes-caption.yaml --dry-run",
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

    @Override
    public Integer call() {
        SweepDefinition sweep = new SweepConfigLoader().load(config);
        if (dryRun) {
            spec.commandLine().getOut().print(TrialTable.dryRun(sweep));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        spec.commandLine().getErr().println("mmict sweep: " + config + " is valid (" + sweep.trials().size()
                + " trials), but running sweeps on the cluster is not yet available; use --dry-run to see the trials");
        return ExitCodes.USAGE_ERROR;
    }
}
