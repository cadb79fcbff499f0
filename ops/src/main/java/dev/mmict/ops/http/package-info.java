/** The HTTP endpoints every node serves: Prometheus metrics and health, on the JDK's HTTP server. */
package dev.mmict.ops.http;
