package dev.mmict.ops.progress;

import dev.mmict.worker.train.StepListener;
import dev.mmict.worker.train.TrainingStep;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * Shows a training loop's progress: step of total, loss (mean over the last steps, so one noisy
 * batch does not jump the figure), learning rate and samples (dialogs) per second, through a
 * {@link Progress} renderer. Close it after the loop.
 */
public final class TrainingProgress implements StepListener, AutoCloseable {
  /** Steps the shown loss is averaged over. */
  static final int WINDOW = 10;

  private final Progress progress;
  private final String label;
  private final LongSupplier nanos;
  private final double[] window = new double[WINDOW];
  private final SampleRate rate = new SampleRate();
  private Progress.Task task;
  private int seen;

  /** A loop called {@code label} shown through {@code progress}. */
  public TrainingProgress(Progress progress, String label) {
    this(progress, label, System::nanoTime);
  }

  TrainingProgress(Progress progress, String label, LongSupplier nanos) {
    this.progress = progress;
    this.label = label;
    this.nanos = nanos;
  }

  @Override
  public void onStep(int step, int totalSteps, double lr, TrainingStep.Result result) {
    if (task == null) {
      // The task starts after this step finished: its rate and ETA count the steps after it
      // (for a resumed run, also after the steps of the earlier process).
      task = progress.start(label, step + 1L, totalSteps, "steps");
    }
    window[seen % WINDOW] = result.loss();
    seen++;
    rate.stepFinished(nanos.getAsLong(), result.dialogs());
    task.update(step + 1, status(lr));
  }

  private String status(double lr) {
    int n = Math.min(seen, WINDOW);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += window[i];
    }
    OptionalDouble perSecond = rate.perSecond();
    String shown = perSecond.isPresent() ? String.format(Locale.ROOT, " %.1f samples/s", perSecond.getAsDouble()) : "";
    return String.format(Locale.ROOT, "loss %.4f lr %.2e", sum / n, lr) + shown;
  }

  @Override
  public void close() {
    if (task != null) {
      task.close();
    }
  }
}
