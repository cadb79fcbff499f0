package dev.mmict.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.cluster.StatusClient;
import dev.mmict.ops.cluster.StatusText;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mmict status}: asks a coordinator node's {@code /status} and prints the run's step,
 * throughput, workers and recent events (or the raw JSON); nothing answering is a cluster error.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show a running cluster's workers, step, loss, throughput and recent membership events.",
        footer = {"", "The address is the coordinator node's http endpoint (its --metrics-port), not its cluster"
            + " port; the node prints it at start.", "", "Examples:",
            "  mmict status --coordinator 127.0.0.1:9100",
            "  mmict status --coordinator 10.0.0.5:9100 --json --events 50 --report status.json"})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--coordinator", required = true, paramLabel = "HOST:PORT",
            description = "The coordinator node's http endpoint (host:port or http://host:port/).")
    String coordinator;

    @Option(names = "--json", description = "Print the status document as JSON instead of the summary.")
    boolean json;

    @Option(names = "--events", paramLabel = "N", defaultValue = "10",
            description = "Show at most N recent membership events, 1..1000 (default ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up when the coordinator has not answered within this (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the status document (JSON) here.")
    Path report;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (events < 1 || events > 1000) {
            throw new ParameterException(spec.commandLine(),
                    "--events must be in 1..1000, got " + events);
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 300) {
            throw new ParameterException(spec.commandLine(),
                    "--timeout must be in 1..300 seconds, got " + timeoutSeconds);
        }
        URI uri = StatusClient.statusUri(coordinator, events);
        JsonNode status = StatusClient.fetch(uri, Duration.ofSeconds(timeoutSeconds));
        String pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(status);
        if (report != null) {
            if (report.toAbsolutePath().getParent() != null) {
                Files.createDirectories(report.toAbsolutePath().getParent());
            }
            Files.writeString(report, pretty + System.lineSeparator());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? pretty + System.lineSeparator() : StatusText.format(status));
        out.flush();
        return ExitCodes.OK;
    }
}
