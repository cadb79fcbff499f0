/**
 * Run metrics: {@link dev.mmict.ops.metrics.RunMetrics} (Micrometer, Prometheus format) and the
 * step listener that feeds it. Served over HTTP by {@code dev.mmict.ops.http}.
 */
package dev.mmict.ops.metrics;
