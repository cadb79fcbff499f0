package dev.mmict.ops.cli;

import dev.mmict.ops.ExitCodes;
import dev.mmict.storage.checkpoint.CheckpointInspector;
import dev.mmict.storage.checkpoint.Inspection;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mmict checkpoints list|verify|inspect}: what is in a checkpoint directory and whether it is intact. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List, verify (sha256 of every file) and inspect checkpoints.",
        footer = {"", "Examples:", "  mmict checkpoints list runs/lr-3e-4/checkpoints",
            "  mmict checkpoints verify runs/lr-3e-4/checkpoints/step-00000200"},
        subcommands = {CheckpointsCommand.ListCheckpoints.class, CheckpointsCommand.Verify.class,
            CheckpointsCommand.Inspect.class})
final class CheckpointsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE_ERROR;
    }

    /** Prints an inspection; a failed check is a data error. */
    static int print(CommandSpec spec, Inspection inspection) {
        spec.commandLine().getOut().print(inspection.text());
        spec.commandLine().getOut().flush();
        return inspection.ok() ? ExitCodes.OK : ExitCodes.DATA_ERROR;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One line per checkpoint: step, time, size, valid, metrics; the best valid one by a metric"
                + " (default: lowest val_loss, what retention keeps) is marked '<- best'.",
            footer = {"", "Examples:", "  mmict checkpoints list runs/lr-3e-4/checkpoints",
                "  mmict checkpoints list --best-by accuracy --best-mode max runs/lr-3e-4/checkpoints"})
    static final class ListCheckpoints implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Parameters(paramLabel = "DIR", description = "The checkpoint root (checkpoint.dir).")
        Path root;

        @Option(names = "--best-by", paramLabel = "METRIC", defaultValue = "val_loss",
                description = "Mark the best checkpoint by this manifest metric (default: ${DEFAULT-VALUE}).")
        String bestBy;

        @Option(names = "--best-mode", paramLabel = "min|max", defaultValue = "min",
                description = "Whether the lowest or the highest value is best (default: ${DEFAULT-VALUE}).")
        String bestMode;

        @Override
        public Integer call() throws IOException {
            RetentionPolicy.Mode mode;
            try {
                mode = RetentionPolicy.Mode.parse(bestMode);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--best-mode: " + e.getMessage());
            }
            return print(spec, CheckpointInspector.list(root, bestBy, mode));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check every file of one checkpoint (or of every checkpoint under a root); exit 4 if any is damaged.",
            footer = {"", "Examples:", "  mmict checkpoints verify runs/lr-3e-4/checkpoints/step-00000200",
                "  mmict checkpoints verify runs/lr-3e-4/checkpoints   # every checkpoint under the root"})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Parameters(paramLabel = "DIR", description = "A checkpoint directory or the checkpoint root.")
        Path dir;

        @Option(names = "--fingerprint", description = "Also require this model fingerprint.")
        String fingerprint;

        @Override
        public Integer call() throws IOException {
            return print(spec, CheckpointInspector.verify(dir, fingerprint));
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Print a checkpoint's manifest: step, epoch, cursor, config, files.",
            footer = {"", "Example:", "  mmict checkpoints inspect runs/lr-3e-4/checkpoints/step-00000200"})
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Parameters(paramLabel = "DIR", description = "A checkpoint directory.")
        Path dir;

        @Override
        public Integer call() throws IOException {
            return print(spec, CheckpointInspector.inspect(dir));
        }
    }
}
