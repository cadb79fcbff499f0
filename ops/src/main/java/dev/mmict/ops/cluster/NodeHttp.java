package dev.mmict.ops.cluster;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.MetricsConfig;
import dev.mmict.ops.http.MetricsServer;
import dev.mmict.ops.metrics.RunMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the HTTP endpoints of a cluster node ({@code /metrics}, {@code /health/*}, and on the
 * coordinator {@code /status}) and announces where they are in one line that tools and tests
 * parse ({@link #line}, {@link #parse}), logged and printed on the node command's stdout (so a
 * log configuration that hides INFO does not hide it):
 * {@code node http endpoints: role=worker id=worker-1 url=http://127.0.0.1:40123/}.
 */
public final class NodeHttp {

  private static final Logger LOG = LoggerFactory.getLogger(NodeHttp.class);
  private static final Pattern LINE = Pattern.compile(
      "node http endpoints: role=(\\S+) id=(\\S+) url=(http://\\S+/)");

  private NodeHttp() { }

  /**
   * Serves {@code metrics} (and {@code status}, if not null) as {@code config} says; null when
   * {@code config.enabled()} is false; the announcement also goes to {@code out} unless it is null.
   *
   * @throws CommandFailure a config error when the address cannot be bound
   */
  static MetricsServer start(String role, String id, MetricsConfig config, RunMetrics metrics,
      MetricsServer.StatusEndpoint status, PrintWriter out) {
    if (!config.enabled()) {
      LOG.info("{} {} serves no http endpoints (metrics.enabled=false)", role, id);
      return null;
    }
    MetricsServer server;
    try {
      server = MetricsServer.start(config.host(), config.port(), metrics, status);
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure(ExitCodes.CONFIG_ERROR, "the " + role + " node " + id + " cannot serve its http"
          + " endpoints on " + config.host() + ":" + config.port() + ": " + e.getMessage()
          + "; choose another --metrics-port (0: any free one) or set metrics.enabled=false", e);
    }
    String line = line(role, id, server.baseUri());
    LOG.info(line);
    if (out != null) {
      out.println(line);
      out.flush();
    }
    return server;
  }

  /** The announcement line of node {@code id} with role {@code role} serving at {@code url}. */
  public static String line(String role, String id, URI url) {
    return "node http endpoints: role=" + role + " id=" + id + " url=" + url;
  }

  /**
   * The url of the last announcement by node {@code id} in {@code text} (a log), if any.
   */
  public static Optional<URI> parse(String text, String id) {
    Matcher m = LINE.matcher(text);
    URI found = null;
    while (m.find()) {
      if (m.group(2).equals(id)) {
        found = URI.create(m.group(3));
      }
    }
    return Optional.ofNullable(found);
  }

  /** {@link #parse} over the lines of a log file; empty when the file does not exist yet. */
  public static Optional<URI> parse(Path log, String id) throws IOException {
    if (!Files.exists(log)) {
      return Optional.empty();
    }
    // Decoded leniently: a log may hold a half-written last line.
    return parse(new String(Files.readAllBytes(log), StandardCharsets.UTF_8), id);
  }
}
