package dev.mmict.ops.run;

import dev.mmict.worker.train.StepListener;
import dev.mmict.worker.train.TrainingStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs training progress about twenty times per run: step, loss, learning rate, throughput, ETA. */
final class ProgressLog implements StepListener {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);
  private final String label;
  private final long start = System.nanoTime();
  private double lossSum;
  private double normSum;
  private int lossCount;
  private long dialogs;
  private int ran;

  ProgressLog(String label) {
    this.label = label;
  }

  @Override
  public void onStep(int step, int total, double lr, TrainingStep.Result r) {
    lossSum += r.loss();
    normSum += r.gradNorm();
    lossCount++;
    dialogs += r.dialogs();
    ran++; // steps this process ran: a resumed run starts past step 0
    int every = Math.max(1, total / 20);
    if ((step + 1) % every == 0 || step + 1 == total) {
      double secs = (System.nanoTime() - start) / 1e9;
      double eta = secs / ran * (total - step - 1);
      LOG.info(String.format("%s step %d/%d loss %.4f grad-norm %.3f lr %.2e %.1f dialogs/s eta %s", label,
          step + 1, total, lossSum / lossCount, normSum / lossCount, lr, dialogs / secs, duration(eta)));
      lossSum = 0;
      normSum = 0;
      lossCount = 0;
    }
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return String.format("%d:%02d", s / 60, s % 60);
  }
}
