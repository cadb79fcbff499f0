package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainSettingsTest {

  @Test
  void theFineTuningRecipeDecaysToZeroAfterTheWarmUp() {
    TrainSettings s = new TrainSettings(100, 4, 1e-3, 10, 0.05, 1, 0, 1, false);
    assertEquals(5e-4, s.schedule().at(5), 1e-12);
    assertEquals(1e-3, s.schedule().at(10), 1e-12);
    assertEquals(5e-4, s.schedule().at(55), 1e-12);
    assertEquals(0, s.schedule().at(100), 1e-12);
  }

  @Test
  void aFloorAtThePeakKeepsTheRateConstantAfterTheWarmUp() {
    TrainSettings s = new TrainSettings(100, 4, 1e-3, 10, 0.05, 1, 0, 1, false, 1e-3);
    assertEquals(5e-4, s.schedule().at(5), 1e-12);
    for (int step : new int[] {10, 55, 99, 100}) {
      assertEquals(1e-3, s.schedule().at(step), 1e-12, "step " + step);
    }
  }

  @Test
  void aFloorAboveThePeakIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TrainSettings(100, 4, 1e-3, 10, 0.05, 1, 0, 1, false, 2e-3));
    assertThrows(IllegalArgumentException.class, () -> new TrainSettings(100, 4, 1e-3, 10, 0.05, 1, 0, 1, false, -1));
  }
}
