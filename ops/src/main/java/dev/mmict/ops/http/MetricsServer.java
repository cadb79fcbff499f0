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
 * (200 once the run has started its first step, 503 before) and, on a node that has one, {@code
 * /status} (JSON from a {@link StatusEndpoint}; {@code ?events=N} asks for at most N recent
 * events; 503 when the status cannot be had, 400 for a malformed query). Anything else is 404,
 * any method but GET and HEAD 405.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";
  /** {@code /status?events=N} accepts N up to this. */
  public static final int MAX_EVENTS = 1000;

  /** Where {@code /status} gets its JSON (the coordinator node's current status). */
  @FunctionalInterface
  public interface StatusEndpoint {
    /**
     * The status as a JSON document.
     *
     * @param maxEvents at most this many recent events; 0: the source's default
     * @throws Exception when the status cannot be had now (served as 503 with the message)
     */
    String json(int maxEvents) throws Exception;
  }

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
    return start(host, port, metrics, null);
  }

  /**
   * As {@link #start(String, int, RunMetrics)}, also serving {@code /status} from {@code status}
   * (null: no {@code /status}, a 404 like any unknown path).
   */
  public static MetricsServer start(String host, int port, RunMetrics metrics, StatusEndpoint status)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    // Two threads: a slow /status (it waits for the coordinator) never holds up a scrape.
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "mmict-metrics-http");
      t.setDaemon(true); // never keeps a finished run's JVM alive
      return t;
    });
    server.createContext("/metrics", ex -> answer(ex, 200, PROMETHEUS_TEXT, metrics::scrape));
    server.createContext("/health/alive", ex -> answer(ex, 200, TEXT, () -> "alive\n"));
    server.createContext("/health/ready", ex -> {
      boolean ready = metrics.ready();
      answer(ex, ready ? 200 : 503, TEXT, () -> ready ? "ready\n" : "starting\n");
    });
    if (status != null) {
      server.createContext("/status", ex -> answerStatus(ex, status));
    }
    String paths = status != null ? "/metrics, /health/alive, /health/ready or /status"
        : "/metrics, /health/alive or /health/ready";
    server.createContext("/", ex -> answer(ex, 404, TEXT, () -> "not found: try " + paths + "\n"));
    server.setExecutor(executor);
    server.start();
    MetricsServer started = new MetricsServer(server, executor);
    LOG.info("metrics on {}metrics, health on {}health/ready", started.baseUri(), started.baseUri());
    return started;
  }

  private static void answerStatus(HttpExchange ex, StatusEndpoint status) throws IOException {
    int events;
    try {
      events = eventsParameter(ex.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException e) {
      answer(ex, 400, TEXT, () -> e.getMessage() + "\n");
      return;
    }
    String json;
    try {
      json = status.json(events);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("/status is unavailable: {}", e.toString());
      String why = "status unavailable: " + e.getMessage() + "\n";
      answer(ex, 503, TEXT, () -> why);
      return;
    }
    answer(ex, 200, JSON, () -> json);
  }

  /** The {@code events} parameter of a query string: 0 when absent; 0..{@value #MAX_EVENTS}. */
  static int eventsParameter(String rawQuery) {
    int events = 0;
    if (rawQuery == null || rawQuery.isEmpty()) {
      return events;
    }
    for (String pair : rawQuery.split("&")) {
      if (!pair.startsWith("events=")) {
        throw new IllegalArgumentException("unknown query parameter '" + pair + "' (only events=N)");
      }
      String value = pair.substring("events=".length());
      try {
        events = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("events='" + value + "' is not a number", e);
      }
      if (events < 0 || events > MAX_EVENTS) {
        throw new IllegalArgumentException("events=" + events + " is outside 0.." + MAX_EVENTS);
      }
    }
    return events;
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
