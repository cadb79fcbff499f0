package dev.mmict.worker.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a cloud's preemption-notice URL (a spot or preemptible instance's metadata endpoint) and
 * reports the first notice once, so that the worker leaves at the next step boundary while the
 * machine still runs. A notice is an HTTP 200 whose body is neither empty nor {@code FALSE}:
 * AWS's {@code spot/instance-action} answers 404 until a notice and then 200 with JSON; GCE's
 * {@code instance/preempted} answers {@code FALSE}, then {@code TRUE}. Unreachable or failing
 * endpoints are logged and polled again: a flaky metadata server must not stop training.
 */
public final class PreemptionWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PreemptionWatcher.class);

  /**
   * Where and how often to poll.
   *
   * @param url the notice endpoint (http or https)
   * @param every time between polls
   */
  public record Settings(URI url, Duration every) {

    /** Checks the URL's scheme and the interval. */
    public Settings {
      if (url == null || url.getScheme() == null
          || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
        throw new IllegalArgumentException("preemption notice URL '" + url + "' is not an http(s) URL");
      }
      if (every == null || every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("preemption poll interval must be > 0, got " + every);
      }
    }
  }

  private final Settings settings;
  private final Consumer<String> onNotice;
  private final HttpClient client;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean noticed = new AtomicBoolean();
  private volatile String lastProblem = "";

  private PreemptionWatcher(Settings settings, Consumer<String> onNotice) {
    this.settings = settings;
    this.onNotice = onNotice;
    this.client = HttpClient.newBuilder().connectTimeout(settings.every().multipliedBy(2)).build();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mmict-preemption-watch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts polling; {@code onNotice} is called at most once, on the poller's thread, with a short
   * description of the notice.
   */
  public static PreemptionWatcher start(Settings settings, Consumer<String> onNotice) {
    PreemptionWatcher w = new PreemptionWatcher(settings, onNotice);
    w.timer.scheduleWithFixedDelay(w::poll, 0, settings.every().toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("watching {} for a preemption notice every {} ms", settings.url(), settings.every().toMillis());
    return w;
  }

  /** Whether a status and body are a preemption notice (see the class comment). */
  public static boolean isNotice(int status, String body) {
    if (status != 200 || body == null) {
      return false;
    }
    String b = body.strip();
    return !b.isEmpty() && !b.toLowerCase(Locale.ROOT).equals("false");
  }

  private void poll() {
    if (noticed.get()) {
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(settings.url())
        .timeout(settings.every().multipliedBy(2))
        .header("Metadata-Flavor", "Google") // GCE's metadata server requires it; others ignore it
        .GET().build();
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      lastProblem = "";
      if (isNotice(r.statusCode(), r.body()) && noticed.compareAndSet(false, true)) {
        String body = r.body().strip();
        String detail = "notice from " + settings.url() + ": " + (body.length() > 200 ? body.substring(0, 200) : body);
        LOG.warn("preemption {}", detail);
        onNotice.accept(detail);
        timer.shutdown();
      }
    } catch (IOException e) {
      complainOnce(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Logs a failing endpoint when the failure changes, not at every poll. */
  private void complainOnce(String problem) {
    if (!problem.equals(lastProblem)) {
      LOG.warn("preemption notice URL {} did not answer ({}); polling on", settings.url(), problem);
      lastProblem = problem;
    }
  }

  /** Whether a notice arrived. */
  public boolean noticed() {
    return noticed.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
