package dev.mmict.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The preemption-notice poller against a metadata endpoint served on loopback. */
class PreemptionWatcherTest {

  @Test
  void awsAndGceAnswersAreReadAsTheyMean() {
    assertFalse(PreemptionWatcher.isNotice(404, "Not Found")); // AWS before a notice
    assertTrue(PreemptionWatcher.isNotice(200, "{\"action\": \"terminate\", \"time\": \"2026-11-27T22:00:00Z\"}"));
    assertFalse(PreemptionWatcher.isNotice(200, "FALSE\n")); // GCE before a notice
    assertTrue(PreemptionWatcher.isNotice(200, "TRUE"));
    assertFalse(PreemptionWatcher.isNotice(200, "  "));
    assertFalse(PreemptionWatcher.isNotice(500, "TRUE"));
  }

  @Test
  void theFirstNoticeIsReportedOnceAfterFailuresAndQuietAnswers() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    AtomicReference<String> answer = new AtomicReference<>("FALSE");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/computeMetadata/v1/instance/preempted", exchange -> {
      int n = polls.incrementAndGet();
      byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
      int status = n == 1 ? 503 : 200; // a metadata server hiccup first: polled again
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    List<String> notices = new CopyOnWriteArrayList<>();
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/computeMetadata/v1/instance/preempted");
    try (PreemptionWatcher w = PreemptionWatcher.start(new PreemptionWatcher.Settings(url, Duration.ofMillis(20)),
        notices::add)) {
      awaitPolls(polls, 4);
      assertTrue(notices.isEmpty(), "no notice yet: " + notices);
      answer.set("TRUE");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (notices.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(1, notices.size());
      assertTrue(notices.get(0).contains("TRUE") && notices.get(0).contains(url.toString()), notices.get(0));
      int after = polls.get();
      Thread.sleep(200);
      assertTrue(polls.get() <= after + 1, "polling stops after the notice");
      assertEquals(1, notices.size());
      assertTrue(w.noticed());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aNonHttpUrlOrAZeroIntervalIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PreemptionWatcher.Settings(URI.create("file:///tmp/x"), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("file:///tmp/x"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new PreemptionWatcher.Settings(URI.create("http://127.0.0.1:1/x"), Duration.ZERO));
  }

  private static void awaitPolls(AtomicInteger polls, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (polls.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(polls.get() >= n, "polled " + polls.get() + " times");
  }
}
