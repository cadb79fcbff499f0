package dev.mmict.ops.cli;

import picocli.CommandLine.Command;

/** {@code mmict pretrain}: builds the base model that fine-tuning starts from. */
@Command(name = "pretrain",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Pre-train the backbone (vision encoder, M-Hub and LLM) that fine-tuning starts from, in stages.",
        footer = {
            "%nExamples:",
            "  mmict pretrain --out runs/base",
            "  mmict pretrain --config base.yaml --set trainer.steps=2000"
        })
final class PretrainCommand extends RunCommand {

    PretrainCommand(Operations operations) {
        super(operations);
    }

    @Override
    protected void execute(RunRequest request) throws Exception {
        operations.pretrain(request);
    }
}
