package dev.mmict.ops.cli;

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
}
