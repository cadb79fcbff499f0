package dev.mmict.ops.progress;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress as a terminal progress bar (me.tongfei progressbar) on stderr: label, percentage,
 * count, elapsed and estimated time left, units per second, and the caller's status (loss,
 * samples/s ...) redrawn in place about twice a second.
 */
public final class BarProgress implements Progress {
  private static final AtomicInteger LIVE = new AtomicInteger();

  private final Supplier<ProgressBarConsumer> consumer;

  /**
   * Draws on stderr, the stream logs also use, so stdout keeps only results. The bar is redrawn
   * with a carriage return, never by moving the cursor up: a log line written meanwhile stays on
   * screen (the log pattern clears the bar's half-drawn line first, see {@code logback.xml}) and
   * the bar continues below it.
   */
  public BarProgress() {
    this(() -> new ConsoleProgressBarConsumer(System.err));
  }

  /**
   * @param consumer a fresh consumer of rendered frames for each bar
   */
  public BarProgress(Supplier<ProgressBarConsumer> consumer) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
  }

  /** Whether a bar is on screen now (then log lines first clear its half-drawn line). */
  static boolean drawing() {
    return LIVE.get() > 0;
  }

  @Override
  public Task start(String label, long from, long total, String unit) {
    ProgressBarBuilder builder = new ProgressBarBuilder()
        .setTaskName(label)
        .setInitialMax(Math.max(1, total))
        .setStyle(ProgressBarStyle.UNICODE_BLOCK)
        .setUpdateIntervalMillis(500)
        .setUnit(" " + unit, 1)
        .showSpeed()
        .startsFrom(Math.max(0, from), java.time.Duration.ZERO)
        .setConsumer(Objects.requireNonNull(consumer.get(), "consumer"));
    ProgressBar bar = builder.build();
    LIVE.incrementAndGet();
    return new Task() {
      private boolean closed;

      @Override
      public void update(long done, String status) {
        bar.stepTo(done);
        bar.setExtraMessage(status == null || status.isEmpty() ? "" : " " + status); // apart from the speed
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          bar.close();
          LIVE.decrementAndGet();
        }
      }
    };
  }
}
