package dev.mmict.ops.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain-log renderer: how often it writes and what each line says, on a hand-driven clock. */
class LogProgressTest {
  private final List<String> lines = new ArrayList<>();
  private long now;

  @Test
  void writesAboutTheAskedNumberOfLinesWithCountRateAndEta() {
    LogProgress progress = new LogProgress(lines::add, 5, () -> now);
    try (Progress.Task task = progress.start("fit", 10, "steps")) {
      for (int i = 1; i <= 10; i++) {
        now += 500_000_000L; // half a second per step: 2 steps/s
        task.update(i, i == 4 ? "loss 1.2500" : "");
      }
    }
    assertEquals(5, lines.size(), lines.toString()); // every 2nd of 10 steps; close adds nothing new
    assertEquals("fit 4/10 steps (40%) loss 1.2500 2.00 steps/s eta 0:03", lines.get(1));
    assertEquals("fit 10/10 steps (100%) 2.00 steps/s eta 0:00", lines.get(4));
  }

  @Test
  void aResumedLoopCountsOnlyTheUnitsItRan() {
    LogProgress progress = new LogProgress(lines::add, 1, () -> now);
    try (Progress.Task task = progress.start("fit", 6, 100, "steps")) {
      now += 10_000_000_000L; // 10 s for the 4 steps 7..10, then it stops early
      task.update(10, "");
    }
    // Only the closing line: 4 steps in 10 s, 90 left at 0.4 steps/s = 225 s.
    assertEquals(List.of("fit 10/100 steps (10%) 0.40 steps/s eta 3:45"), lines);
  }

  @Test
  void durationsReadAsMinutesOrHours() {
    assertEquals("0:59", LogProgress.duration(59.4));
    assertEquals("2:05", LogProgress.duration(125));
    assertEquals("1:01:01", LogProgress.duration(3661));
    assertEquals("?", LogProgress.duration(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new LogProgress(lines::add, 0, () -> now));
  }
}
