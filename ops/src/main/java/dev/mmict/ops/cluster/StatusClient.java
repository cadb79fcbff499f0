package dev.mmict.ops.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.CommandFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Fetches a coordinator node's {@code GET /status} for {@code mmict status}: one request with a
 * connect and a response timeout, a body of at most {@value #MAX_BODY_BYTES} bytes, checked to be
 * a {@link StatusJson} document. Every failure is a cluster error naming the address.
 */
public final class StatusClient {

  /** Larger answers are refused as not a status document. */
  public static final int MAX_BODY_BYTES = 4 << 20;

  private StatusClient() { }

  /**
   * The status url for {@code address}: {@code HOST:PORT} or {@code http://HOST:PORT[/]} of the
   * coordinator node's http endpoints.
   *
   * @throws CommandFailure a usage error when the address is neither
   */
  public static URI statusUri(String address, int events) {
    String base = address.startsWith("http://") ? address.substring("http://".length()) : address;
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    int colon = base.lastIndexOf(':');
    boolean numericPort = colon > 0 && colon < base.length() - 1
        && base.substring(colon + 1).chars().allMatch(Character::isDigit);
    if (!numericPort || base.contains("/")) {
      throw new CommandFailure(dev.mmict.ops.ExitCodes.USAGE_ERROR, "--coordinator '" + address
          + "' is not HOST:PORT of the coordinator node's http endpoints (e.g. 127.0.0.1:9100)", null);
    }
    try {
      return new URI("http://" + base + "/status" + (events > 0 ? "?events=" + events : ""));
    } catch (URISyntaxException e) {
      throw new CommandFailure(dev.mmict.ops.ExitCodes.USAGE_ERROR, "--coordinator '" + address
          + "' is not a valid address: " + e.getMessage(), e);
    }
  }

  /**
   * GETs {@code uri} and returns the status document.
   *
   * @throws CommandFailure a cluster error when nothing answers in time, the answer is not 200,
   *     or it is not a status document
   */
  public static JsonNode fetch(URI uri, Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").build();
    HttpResponse<InputStream> response;
    byte[] body;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
    } catch (ConnectException e) {
      throw CommandFailure.clusterError("no coordinator answers at " + uri + ": connection refused (is the"
          + " coordinator node running, and is this its http port, not its cluster port?)", e);
    } catch (HttpTimeoutException e) {
      throw CommandFailure.clusterError("the coordinator at " + uri + " did not answer within " + timeout, e);
    } catch (IOException e) {
      throw CommandFailure.clusterError("cannot reach the coordinator at " + uri + ": " + e, e);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw CommandFailure.clusterError("the answer from " + uri + " is larger than " + MAX_BODY_BYTES
          + " bytes: not a coordinator status", null);
    }
    String text = new String(body, StandardCharsets.UTF_8);
    if (response.statusCode() != 200) {
      throw CommandFailure.clusterError("the coordinator at " + uri + " answered HTTP " + response.statusCode()
          + ": " + firstLine(text), null);
    }
    return parse(text, uri.toString());
  }

  /**
   * {@code text} as a status document from {@code source}.
   *
   * @throws CommandFailure a cluster error when it is not JSON or lacks the document's keys
   */
  public static JsonNode parse(String text, String source) {
    JsonNode doc;
    try {
      doc = new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw CommandFailure.clusterError("the answer from " + source + " is not JSON ("
          + e.getOriginalMessage() + "): " + firstLine(text), e);
    }
    if (doc == null || !doc.isObject()) {
      throw CommandFailure.clusterError("the answer from " + source + " is not a JSON object: " + firstLine(text),
          null);
    }
    for (String key : new String[] {StatusJson.FORMAT_KEY, "step", "epoch", "members", "recent_events", "nodes"}) {
      if (!doc.has(key)) {
        throw CommandFailure.clusterError("the answer from " + source + " is not a coordinator status: it has no '"
            + key + "'", null);
      }
    }
    if (doc.get(StatusJson.FORMAT_KEY).asInt() != StatusJson.FORMAT) {
      throw CommandFailure.clusterError("the coordinator at " + source + " writes status format "
          + doc.get(StatusJson.FORMAT_KEY) + "; this mmict reads format " + StatusJson.FORMAT, null);
    }
    return doc;
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("(empty)");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
