package dev.mmict.ops.progress;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress as plain log lines, for runs whose output is not a terminal (files, schedulers, CI):
 * about twenty lines per loop, each with the count, the percentage, the caller's status, the
 * rate and the estimated time left.
 */
public final class LogProgress implements Progress {
  private static final Logger LOG = LoggerFactory.getLogger(LogProgress.class);

  private final Consumer<String> sink;
  private final int lines;
  private final LongSupplier nanos;

  /** Logs through SLF4J at INFO, about twenty lines per loop. */
  public LogProgress() {
    this(LOG::info, 20, System::nanoTime);
  }

  /**
   * @param sink receives each formatted line
   * @param lines about how many lines one loop writes (at least 1)
   * @param nanos the clock rates and ETAs are measured with
   */
  public LogProgress(Consumer<String> sink, int lines, LongSupplier nanos) {
    if (lines < 1) {
      throw new IllegalArgumentException("lines must be >= 1, got " + lines);
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    this.lines = lines;
    this.nanos = Objects.requireNonNull(nanos, "nanos");
  }

  @Override
  public Task start(String label, long from, long total, String unit) {
    return new LogTask(label, from, Math.max(1, total), unit);
  }

  /** Formats seconds as {@code m:ss} (or {@code h:mm:ss} from an hour on). */
  public static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private final class LogTask implements Task {
    private final String label;
    private final long total;
    private final String unit;
    private final long every;
    private final long startNanos = nanos.getAsLong();
    private final long first;
    private long lastLogged = -1;
    private long done;
    private String status = "";

    LogTask(String label, long from, long total, String unit) {
      this.label = label;
      this.first = Math.max(0, from);
      this.done = first;
      this.total = total;
      this.unit = unit;
      this.every = Math.max(1, total / lines);
    }

    @Override
    public void update(long done, String status) {
      this.done = done;
      this.status = status == null ? "" : status;
      if (done % every == 0 || done >= total) {
        emit();
      }
    }

    private void emit() {
      if (done == lastLogged) {
        return;
      }
      lastLogged = done;
      double secs = (nanos.getAsLong() - startNanos) / 1e9;
      long ran = done - first; // a resumed loop starts past 0: the rate counts only what ran here
      double rate = secs > 0 ? ran / secs : 0;
      double eta = rate > 0 ? (total - done) / rate : Double.NaN;
      StringBuilder line = new StringBuilder(label).append(' ')
          .append(String.format(Locale.ROOT, "%d/%d %s (%d%%)", done, total, unit, done * 100 / total));
      if (!status.isEmpty()) {
        line.append(' ').append(status);
      }
      line.append(String.format(Locale.ROOT, " %.2f %s/s eta %s", rate, unit, done >= total ? "0:00" : duration(eta)));
      sink.accept(line.toString());
    }

    @Override
    public void close() {
      if (done > first) {
        emit(); // the last count is always shown, also when the loop stopped early
      }
    }
  }
}
