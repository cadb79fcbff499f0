package dev.mmict.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.metrics.RunMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The endpoints on a free loopback port: status codes, content types, bodies. */
class MetricsServerTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(URI base, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesMetricsAndHealth() throws Exception {
    RunMetrics metrics = new RunMetrics("r", "n");
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, metrics)) {
      URI base = server.baseUri();
      assertTrue(server.address().getPort() > 0);
      assertEquals(200, get(base, "/health/alive").statusCode());
      assertEquals(503, get(base, "/health/ready").statusCode(), "not ready before the first step");
      metrics.markReady();
      metrics.stepCompleted(1, 0.75, 1e-4, 4, 0.1);
      assertEquals(200, get(base, "/health/ready").statusCode());
      HttpResponse<String> scrape = get(base, "/metrics");
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(scrape.body().contains("mmict_loss{node=\"n\",run=\"r\"} 0.75"), scrape.body());
      assertEquals(404, get(base, "/nothing-here").statusCode());
      assertEquals(404, get(base, "/health/alive/x").statusCode());
      HttpResponse<String> post = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
    }
  }

  @Test
  void servesStatusFromItsEndpointWithTheEventsParameterAnd503WhenItFails() throws Exception {
    RunMetrics metrics = new RunMetrics("r", "n");
    java.util.List<Integer> asked = new java.util.ArrayList<>();
    boolean[] fail = {false};
    MetricsServer.StatusEndpoint status = events -> {
      asked.add(events);
      if (fail[0]) {
        throw new java.util.concurrent.TimeoutException("coordinator silent");
      }
      return "{\"step\": 3}";
    };
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, metrics, status)) {
      URI base = server.baseUri();
      HttpResponse<String> ok = get(base, "/status?events=7");
      assertEquals(200, ok.statusCode());
      assertEquals("{\"step\": 3}", ok.body());
      assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
      assertEquals(200, get(base, "/status").statusCode());
      assertEquals(java.util.List.of(7, 0), asked);
      assertEquals(400, get(base, "/status?events=lots").statusCode());
      assertEquals(400, get(base, "/status?events=-1").statusCode());
      assertEquals(400, get(base, "/status?verbose=1").statusCode());
      assertEquals(java.util.List.of(7, 0), asked, "a bad query never reaches the endpoint");
      fail[0] = true;
      HttpResponse<String> down = get(base, "/status");
      assertEquals(503, down.statusCode());
      assertTrue(down.body().contains("coordinator silent"), down.body());
    }
    try (MetricsServer plain = MetricsServer.start("127.0.0.1", 0, metrics)) {
      assertEquals(404, get(plain.baseUri(), "/status").statusCode(), "only a node with a status serves /status");
    }
  }

  @Test
  void aPortInUseFailsToStart() throws Exception {
    RunMetrics metrics = new RunMetrics("r", "n");
    try (MetricsServer first = MetricsServer.start("127.0.0.1", 0, metrics)) {
      int port = first.address().getPort();
      assertThrows(java.io.IOException.class, () -> MetricsServer.start("127.0.0.1", port, metrics).close());
    }
  }
}
