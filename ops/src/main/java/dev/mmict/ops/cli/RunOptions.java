package dev.mmict.ops.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options shared by the run commands ({@code demo}, {@code pretrain}, {@code train}, {@code eval}). */
public final class RunOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration; keys it leaves out take their defaults.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = {"Override one configuration key; repeatable, applied in order after --config.",
                "Example: --set trainer.lr=3e-4"})
    List<String> overrides = new ArrayList<>();

    @Option(names = "--report", paramLabel = "FILE",
            description = "Where to write the machine-readable report (JSON).")
    Path report;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for this run's outputs (resolved config, checkpoints, curves).")
    Path out;

    @Option(names = "--dry-run",
            description = "Check the configuration, print it resolved as YAML, and stop without doing any work.")
    boolean dryRun;
}
