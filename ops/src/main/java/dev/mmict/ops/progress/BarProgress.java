package dev.mmict.ops.progress;

import java.util.Objects;
import java.util.function.Supplier;
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
  private final Supplier<ProgressBarConsumer> consumer;

  /** Draws on the process's terminal (stderr, the stream logs also use, so stdout keeps only results). */
  public BarProgress() {
    this(null);
  }

  /**
   * @param consumer a fresh consumer of rendered frames for each bar; null draws on the terminal
   */
  public BarProgress(Supplier<ProgressBarConsumer> consumer) {
    this.consumer = consumer;
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
        .startsFrom(Math.max(0, from), java.time.Duration.ZERO);
    if (consumer != null) {
      builder.setConsumer(Objects.requireNonNull(consumer.get(), "consumer"));
    }
    ProgressBar bar = builder.build();
    return new Task() {
      @Override
      public void update(long done, String status) {
        bar.stepTo(done);
        bar.setExtraMessage(status == null || status.isEmpty() ? "" : " " + status); // apart from the speed
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }
}
