package dev.mmict.ops.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mmict.ops.metrics.RunMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints of one node, on the JDK's built-in server: {@code /metrics} (Prometheus
 * text format), {@code /health/alive} (200 while the process serves) and {@code /health/ready}
 * (200 once the run has started its first step, 503 before). Anything else is 404, any method
 * but GET and HEAD 405.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving {@code metrics} on {@code host:port}.
   *
   * @param port 0 picks a free port ({@link #address()} tells which)
   * @throws IOException when the address cannot be bound (in use, unknown host)
   */
  public static MetricsServer start(String host, int port, RunMetrics metrics) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mmict-metrics-http");
      t.setDaemon(true); // never keeps a finished run's JVM alive
      return t;
    });
    server.createContext("/metrics", ex -> answer(ex, 200, PROMETHEUS_TEXT, metrics::scrape));
    server.createContext("/health/alive", ex -> answer(ex, 200, "text/plain; charset=utf-8", () -> "alive\n"));
    server.createContext("/health/ready", ex -> {
      boolean ready = metrics.ready();
      answer(ex, ready ? 200 : 503, "text/plain; charset=utf-8", () -> ready ? "ready\n" : "starting\n");
    });
    server.createContext("/", ex -> answer(ex, 404, "text/plain; charset=utf-8",
        () -> "not found: try /metrics, /health/alive or /health/ready\n"));
    server.setExecutor(executor);
    server.start();
    MetricsServer started = new MetricsServer(server, executor);
    LOG.info("metrics on {}metrics, health on {}health/ready", started.baseUri(), started.baseUri());
    return started;
  }

  private static void answer(HttpExchange ex, int status, String type, Supplier<String> body) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      boolean exact = ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath()) || status == 404;
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = (exact ? body.get() : "not found\n").getBytes(StandardCharsets.UTF_8);
      int code = exact ? status : 404;
      ex.getResponseHeaders().set("Content-Type", type);
      if (method.equals("HEAD")) {
        ex.sendResponseHeaders(code, -1);
        return;
      }
      ex.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (RuntimeException e) {
      LOG.warn("metrics endpoint {} failed: {}", ex.getRequestURI(), e.toString());
      throw e;
    }
  }

  /** The bound address (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code http://host:port/}. */
  public URI baseUri() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
  }

  /** Stops serving at once (scrapes in flight are cut). */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
