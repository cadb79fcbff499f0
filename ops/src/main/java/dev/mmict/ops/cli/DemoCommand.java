package dev.mmict.ops.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mmict demo}: the end-to-end demonstration, runnable with no arguments on a laptop CPU. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Run the end-to-end demonstration: MMICT against the baselines, on synthetic data.",
            "Pre-trains the tiny model, fine-tunes it with MMICT, VanillaFT and VanillaICT,",
            "and compares them. Each fine-tuning runs on a local cluster of --workers worker JVMs",
            "(default 2; 0: in this process). Outputs go to demo-report/ and the summary to demo.json",
            "unless --out / --report say otherwise."
        },
        footer = {
            "%nExamples:",
            "  mmict demo",
            "  mmict demo --set trainer.steps=50 --set data.shots=4",
            "  mmict demo --workers 0       # fine-tune in this process instead of on a local cluster",
            "  mmict demo --dry-run         # print the resolved configuration and stop"
        })
final class DemoCommand extends RunCommand {

    @Mixin
    LocalClusterOptions cluster;

    DemoCommand(Operations operations) {
        super(operations);
    }

    @Override
    protected void execute(RunRequest request) throws Exception {
        cluster.check(spec.commandLine());
        operations.demo(request, cluster.onCluster() ? cluster.request(null) : null);
    }

    @Override
    protected Path defaultOutDir() {
        return Path.of("demo-report");
    }

    @Override
    protected Path defaultReport(Path outDir) {
        return Path.of("demo.json");
    }
}
