package dev.mmict.ops.cli;

import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.LogContext;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shape every run command shares: resolve and check the configuration before any work (a
 * bad one exits 3), print it for {@code --dry-run}, otherwise save it as {@code config.yaml} in
 * the output directory and call one {@link Operations} method.
 */
abstract class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Mixin
    RunOptions options;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    protected final Operations operations;
    private final ConfigLoader loader = new ConfigLoader();

    RunCommand(Operations operations) {
        this.operations = operations;
    }

    @Override
    public Integer call() throws Exception {
        RunConfig config = loader.load(RunConfig.class, options.config, options.overrides);
        if (options.dryRun) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(loader.toYaml(config));
            out.flush();
            return ExitCodes.OK;
        }
        Path outDir = options.out != null ? options.out : defaultOutDir();
        Path report = options.report != null ? options.report : defaultReport(outDir);
        Path name = outDir.toAbsolutePath().normalize().getFileName();
        try (LogContext context = LogContext.open(name == null ? spec.name() : name.toString(), "local")) {
            Path saved = outDir.resolve("config.yaml");
            loader.write(config, saved);
            LOG.info("{}: resolved configuration saved to {}", spec.name(), saved);
            execute(new RunRequest(spec.name(), config, outDir, report));
        }
        return ExitCodes.OK;
    }

    /** Calls the one {@link Operations} method behind this command. */
    protected abstract void execute(RunRequest request) throws Exception;

    /** {@code runs/<command>-<yyyyMMdd-HHmmss>} unless a command has a fixed place. */
    protected Path defaultOutDir() {
        return Path.of("runs", spec.name() + "-" + LocalDateTime.now().format(RUN_STAMP));
    }

    /** {@code <outDir>/report.json} unless a command has a fixed place. */
    protected Path defaultReport(Path outDir) {
        return outDir.resolve("report.json");
    }
}
