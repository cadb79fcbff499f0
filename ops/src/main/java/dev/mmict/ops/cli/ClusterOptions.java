package dev.mmict.ops.cli;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.MetricsConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of a cluster node ({@code mmict coordinator}, {@code mmict worker}). */
public final class ClusterOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Host this node listens on and peers reach it at (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "0",
            description = "Cluster (Artery) port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seed", paramLabel = "HOST:PORT",
            description = "A seed node of the cluster to join; repeatable. None: this node founds the cluster.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--deterministic",
            description = "Exchange gradients as exact 64-bit fixed point per micro-batch (bitwise reproducible).")
    boolean deterministic;

    @Option(names = "--metrics-host", paramLabel = "HOST",
            description = "Address this node's /metrics, /health and (coordinator) /status bind to (default:"
                    + " metrics.host of the config).")
    String metricsHost;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of those endpoints; 0 picks a free one, logged as 'node http endpoints: ... url=...'"
                    + " (default: metrics.port of the config).")
    Integer metricsPort;

    /** The node's http endpoints: the run config's {@code metrics}, with this node's flags applied. */
    MetricsConfig http(MetricsConfig configured) {
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new CommandFailure(ExitCodes.USAGE_ERROR, "--metrics-port must be in 0..65535, got " + metricsPort,
                    null);
        }
        if (metricsHost != null && metricsHost.isBlank()) {
            throw new CommandFailure(ExitCodes.USAGE_ERROR, "--metrics-host must not be empty", null);
        }
        return new MetricsConfig(configured.enabled(), metricsHost != null ? metricsHost : configured.host(),
                metricsPort != null ? metricsPort : configured.port());
    }
}
