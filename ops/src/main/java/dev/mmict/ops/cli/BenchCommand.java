package dev.mmict.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.ops.ExitCodes;
import dev.mmict.worker.exchange.ExchangeBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mmict bench …}: measurements that print their figures and, with {@code --report}, write
 * them as JSON with the comparison's {@code "ratio"} at the top and {@code "figures"} for the rest.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmarks that print figures (ratios measured side by side in one run).",
        subcommands = {BenchCommand.Exchange.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE_ERROR;
    }

    /** Writes {"ratio": …, "figures": {…}} to {@code report}. */
    static void writeReport(Path report, Map<String, Object> figures) throws java.io.IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ratio", figures.get("ratio"));
        Map<String, Object> rest = new LinkedHashMap<>(figures);
        rest.remove("ratio");
        json.put("figures", rest);
        if (report.toAbsolutePath().getParent() != null) {
            Files.createDirectories(report.toAbsolutePath().getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.toFile(), json);
    }

    @Command(name = "exchange", mixinStandardHelpOptions = true,
            description = "Ring all-reduce goodput over loopback TCP against plain sockets moving the same bytes"
                    + " in the same run; ratio = all-reduce / socket-ring goodput (target >= 0.5).",
            footer = {"", "Example:", "  mmict bench exchange --ranks 3 --sizes-mib 4,16 --report exchange.json"})
    static final class Exchange implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--ranks", defaultValue = "3", description = "Ranks in the ring (default ${DEFAULT-VALUE}).")
        int ranks;

        @Option(names = "--sizes-mib", defaultValue = "4,16", split = ",",
                description = "Gradient vector sizes in MiB (default ${DEFAULT-VALUE}).")
        List<Integer> sizes;

        @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations per size (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--report", description = "Write the figures as JSON here.")
        Path report;

        @Override
        public Integer call() throws Exception {
            ExchangeBenchmark.Settings d = ExchangeBenchmark.Settings.DEFAULTS;
            Map<String, Object> figures = ExchangeBenchmark.run(
                    new ExchangeBenchmark.Settings(ranks, sizes, d.warmups(), iterations, d.chunkElements()));
            spec.commandLine().getOut().print(ExchangeBenchmark.format(figures));
            spec.commandLine().getOut().flush();
            if (report != null) {
                writeReport(report, figures);
            }
            return ExitCodes.OK;
        }
    }
}
