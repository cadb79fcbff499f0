package dev.mmict.ops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mmict train}: one fine-tuning run. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Fine-tune a model with Multi-Modal In-Context Tuning (or a baseline) as the configuration says.",
        footer = {
            "%nExamples:",
            "  mmict train --config run.yaml",
            "  mmict train --config run.yaml --set trainer.lr=3e-4 --set data.shots=4",
            "  mmict train --config run.yaml --out runs/lr-3e-4",
            "  mmict train --config run.yaml --out runs/lr-3e-4 --resume   # continue after a stop",
            "  mmict train --config run.yaml --dry-run      # check the configuration only"
        })
final class TrainCommand extends RunCommand {

    @Option(names = "--resume",
            description = {"Continue from the newest valid checkpoint in checkpoint.dir (default <out>/checkpoints);",
                "same as --set checkpoint.resume=true. Pass the stopped run's --out."})
    boolean resume;

    TrainCommand(Operations operations) {
        super(operations);
    }

    @Override
    public Integer call() throws Exception {
        if (resume) {
            options.overrides.add("checkpoint.resume=true");
        }
        return super.call();
    }

    @Override
    protected void execute(RunRequest request) throws Exception {
        operations.train(request);
    }
}
