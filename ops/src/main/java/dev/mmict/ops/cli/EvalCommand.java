package dev.mmict.ops.cli;

import picocli.CommandLine.Command;

/** {@code mmict eval}: scores a model on a task's test split. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Evaluate a model on the configured task's test split and write the metrics.",
        footer = {
            "%nExamples:",
            "  mmict eval --config run.yaml --report eval.json",
            "  mmict eval --config run.yaml --set data.shots=0"
        })
final class EvalCommand extends RunCommand {

    EvalCommand(Operations operations) {
        super(operations);
    }

    @Override
    protected void execute(RunRequest request) throws Exception {
        operations.eval(request);
    }
}
