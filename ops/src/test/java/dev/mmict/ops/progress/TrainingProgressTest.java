package dev.mmict.ops.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.worker.train.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a training loop shows: step, windowed mean loss, learning rate, samples per second. */
class TrainingProgressTest {
  private long now;

  private static TrainingStep.Result step(double loss, int dialogs) {
    return new TrainingStep.Result(loss, loss, 0, dialogs, 10 * dialogs, 1.0, false);
  }

  @Test
  void showsTheMeanLossOfTheLastStepsAndTheSampleRate() {
    List<String> lines = new ArrayList<>();
    LogProgress log = new LogProgress(lines::add, 4, () -> now);
    int total = 12;
    try (TrainingProgress p = new TrainingProgress(log, "t", () -> now)) {
      for (int s = 0; s < total; s++) {
        now += 250_000_000L; // 4 steps/s, 8 dialogs each: 32 samples/s
        p.onStep(s, total, 1e-3, step(s + 1, 8));
      }
    }
    assertEquals(4, lines.size(), lines.toString());
    // After step 3 (1-based): mean of losses 1, 2, 3.
    assertEquals("t 3/12 steps (25%) loss 2.0000 lr 1.00e-03 32.0 samples/s 4.00 steps/s eta 0:02", lines.get(0));
    // After step 12: mean of the last 10 losses, 3..12 = 7.5.
    assertEquals("t 12/12 steps (100%) loss 7.5000 lr 1.00e-03 32.0 samples/s 4.00 steps/s eta 0:00", lines.get(3));
  }

  @Test
  void theSampleRateLeavesOutTheTimeBeforeTheFirstStepEnded() {
    List<String> lines = new ArrayList<>();
    LogProgress log = new LogProgress(lines::add, 2, () -> now);
    try (TrainingProgress p = new TrainingProgress(log, "c", () -> now)) {
      now += 20_000_000_000L; // the first commit comes after 20 s of worker start-up
      p.onStep(0, 3, 1e-3, step(1, 8));
      now += 500_000_000L;
      p.onStep(1, 3, 1e-3, step(1, 8));
      now += 500_000_000L;
      p.onStep(2, 3, 1e-3, step(1, 8));
    }
    // Steps 2 and 3: 16 samples in 1 s (counting from the start, it would be 24 in 21 s: 1.1).
    assertTrue(lines.get(lines.size() - 1).contains(" 16.0 samples/s "), lines.toString());
  }
}
