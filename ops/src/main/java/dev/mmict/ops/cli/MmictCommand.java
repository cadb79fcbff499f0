package dev.mmict.ops.cli;

import dev.mmict.ops.ExitCodes;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code mmict} top-level command: lists the subcommands; run alone it is a usage error. */
@Command(name = "mmict",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Fine-tune multi-modal LLMs with Multi-Modal In-Context Tuning (MMICT) on an elastic cluster.",
        commandListHeading = "%nCommands:%n",
        footer = {
            "%nExamples:",
            "  mmict demo                      # the whole pipeline, minutes on a CPU",
            "  mmict train --config run.yaml --set trainer.lr=3e-4",
            "  mmict train --config run.yaml --dry-run   # print the resolved config",
            "  mmict help train",
            "%nEnvironment: MMICT_DEBUG=1 prints stack traces; MMICT_JAVA_OPTS adds",
            "JVM options (launcher). More in docs/cli.md."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            " 0:ok",
            " 1:unexpected failure (rerun with --verbose)",
            " 2:usage error (unknown command or option; command not yet available)",
            " 3:config error (unknown key, wrong type, value out of range)",
            " 4:data error (dataset or checkpoint missing, unreadable, corrupt)",
            " 5:cluster error (no workers, replicas disagree, coordinator lost or not answering)",
            "130:interrupted (Ctrl-C)"
        })
public final class MmictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    /**
     * The whole command tree, wired by hand: run commands call {@code operations}; failures are
     * reported by one handler that maps them to {@link ExitCodes}.
     *
     * @param env environment variables ({@code MMICT_DEBUG})
     */
    public static CommandLine commandLine(Operations operations, PrintWriter out, PrintWriter err,
            Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new MmictCommand())
                .addSubcommand(new DemoCommand(operations))
                .addSubcommand(new PretrainCommand(operations))
                .addSubcommand(new TrainCommand(operations))
                .addSubcommand(new EvalCommand(operations))
                .addSubcommand(new DataCommand())
                .addSubcommand(new CheckpointsCommand())
                .addSubcommand(new BenchCommand())
                .addSubcommand(new SweepCommand())
                .addSubcommand(new ClusterCommands.Coordinator())
                .addSubcommand(new ClusterCommands.Worker())
                .addSubcommand(new StatusCommand());
        commandLine.addSubcommand(new CommandLine.HelpCommand());
        FailureHandler failures = new FailureHandler(env);
        commandLine.setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(failures)
                .setExecutionExceptionHandler(failures);
        commandLine.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE_ERROR);
        commandLine.getCommandSpec().exitCodeOnExecutionException(ExitCodes.UNEXPECTED_FAILURE);
        return commandLine;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("mmict: missing command (see 'mmict --help')");
        return ExitCodes.USAGE_ERROR;
    }
}
