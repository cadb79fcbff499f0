package dev.mmict.ops.config;

/**
 * The HTTP endpoints of a run ({@code /metrics} for Prometheus, {@code /health/alive},
 * {@code /health/ready}); see {@code docs/operations.md}.
 *
 * @param enabled serve them at all
 * @param host the address to bind: {@code 127.0.0.1} serves this machine only, {@code 0.0.0.0}
 *     every interface (for a Prometheus elsewhere)
 * @param port the TCP port; 0 picks a free one, logged and written to the report as {@code metrics_url}
 */
public record MetricsConfig(boolean enabled, String host, @Range(min = 0, max = 65535) int port) {

    /** Rejects an empty host. */
    public MetricsConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty (127.0.0.1: this machine only; 0.0.0.0: all)");
        }
    }

    /** On, this machine only, a free port. */
    public static MetricsConfig defaults() {
        return new MetricsConfig(true, "127.0.0.1", 0);
    }
}
