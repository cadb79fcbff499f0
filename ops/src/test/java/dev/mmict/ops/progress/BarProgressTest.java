package dev.mmict.ops.progress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.Test;

/** The terminal renderer, drawn into a list of frames instead of a terminal. */
class BarProgressTest {

  @Test
  void theLastFrameShowsLabelCountAndStatus() {
    List<String> frames = new CopyOnWriteArrayList<>();
    BarProgress progress = new BarProgress(() -> new DelegatingProgressBarConsumer(frames::add, 160));
    try (Progress.Task task = progress.start("shapes-caption MMICT", 8, "steps")) {
      for (int i = 1; i <= 8; i++) {
        task.update(i, "loss " + (2.0 - i * 0.1));
      }
    }
    assertFalse(frames.isEmpty(), "closing draws the final frame");
    String last = frames.get(frames.size() - 1);
    assertTrue(last.startsWith("shapes-caption MMICT 100%"), last);
    assertTrue(last.contains("8/8 steps"), last);
    assertTrue(last.contains("loss 1.2"), last);
    assertTrue(last.contains("steps/s"), last); // the speed
  }

  @Test
  void aResumedBarStartsAtItsStep() {
    List<String> frames = new CopyOnWriteArrayList<>();
    BarProgress progress = new BarProgress(() -> new DelegatingProgressBarConsumer(frames::add, 160));
    try (Progress.Task task = progress.start("fit", 50, 100, "steps")) {
      task.update(60, "");
    }
    assertTrue(frames.get(frames.size() - 1).contains(" 60% "), frames.toString());
    assertTrue(frames.get(frames.size() - 1).contains("60/100 steps"), frames.toString());
  }

  @Test
  void logLinesClearTheBarsLineOnlyWhileABarIsDrawn() {
    ClearBarConverter clear = new ClearBarConverter();
    assertTrue(clear.convert(null).isEmpty(), "no bar: log lines stay free of escape sequences");
    BarProgress progress = new BarProgress(() -> new DelegatingProgressBarConsumer(s -> { }, 80));
    Progress.Task task = progress.start("fit", 2, "steps");
    try {
      assertTrue(clear.convert(null).equals(ClearBarConverter.CLEAR_LINE));
    } finally {
      task.close();
    }
    task.close(); // closing twice is harmless and does not miscount
    assertTrue(clear.convert(null).isEmpty());
  }
}
