package dev.mmict.ops.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts come out as real PNG pictures of the chosen size. */
class PlotsTest {
  @TempDir
  Path dir;

  @Test
  void lossCurveAndBarsArePngs() throws Exception {
    double[] losses = new double[40];
    for (int i = 0; i < losses.length; i++) {
      losses[i] = 3.0 / (1 + i) + (i == 7 ? Double.NaN : 0);
    }
    Path loss = dir.resolve("sub/loss.png");
    Plots.lossCurve(loss, "training loss", new LossCurve("t", 11, losses));
    PngAssert.assertPng(loss);

    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("MMICT", List.of(0.8, 0.4));
    series.put("VanillaFT", List.of(0.2)); // a missing value is drawn as 0
    Path bars = dir.resolve("bars.png");
    Plots.bars(bars, "main metric", "value", List.of("caption (CIDEr)", "binding (accuracy)"), series);
    PngAssert.assertPng(bars);
    assertThrows(IllegalArgumentException.class, () -> Plots.bars(dir.resolve("x.png"), "t", "y", List.of(), series));
  }

  @Test
  void runningMeanAveragesTheWindowBehindEachPoint() {
    assertArrayEquals(new double[] {1, 1.5, 2, 3, 4}, Plots.runningMean(new double[] {1, 2, 3, 4, 5}, 3), 1e-12);
  }
}
