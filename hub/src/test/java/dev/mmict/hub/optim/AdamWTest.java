package dev.mmict.hub.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.nn.Params;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

  @Test
  void twoStepsMatchTheFormulaAndDecayOnlyMatrices() {
    try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m, 1)) {
      NDArray w = p.declare("w", new Shape(1, 2), Params.Init.ONES, 0);
      NDArray b = p.declare("b", new Shape(2), Params.Init.ONES, 0);
      p.setTrainable(n -> true);
      try (AdamW opt = new AdamW(m, 0.9, 0.999, 1e-8, 0.1)) {
        double lr = 0.01;
        float[] g1 = {0.5f, -2f};
        float[] g2 = {0.1f, 1f};
        opt.update(p, Map.of("w", m.create(g1, new Shape(1, 2)), "b", m.create(g1)), lr);
        opt.update(p, Map.of("w", m.create(g2, new Shape(1, 2)), "b", m.create(g2)), lr);
        for (int i = 0; i < 2; i++) {
          double wm = 0;
          double wv = 0;
          double ww = 1;
          double bw = 1;
          double[] gs = {g1[i], g2[i]};
          for (int t = 1; t <= 2; t++) {
            wm = 0.9 * wm + 0.1 * gs[t - 1];
            wv = 0.999 * wv + 0.001 * gs[t - 1] * gs[t - 1];
            double u = (wm / (1 - Math.pow(0.9, t))) / (Math.sqrt(wv / (1 - Math.pow(0.999, t))) + 1e-8);
            ww = ww * (1 - lr * 0.1) - lr * u;
            bw = bw - lr * u;
          }
          assertEquals(ww, w.toFloatArray()[i], 1e-6, "matrix element " + i);
          assertEquals(bw, b.toFloatArray()[i], 1e-6, "bias element " + i);
        }
        assertEquals(2, opt.step());
        assertEquals(4, opt.state().size());
      }
    }
  }

  @Test
  void missingGradientIsAnError() {
    try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m, 1)) {
      p.declare("w", new Shape(2), Params.Init.ONES, 0);
      p.setTrainable(n -> true);
      try (AdamW opt = AdamW.defaults(m)) {
        assertThrows(IllegalStateException.class, () -> opt.update(p, Map.of(), 0.1));
      }
    }
  }

  @Test
  void scheduleWarmsUpLinearlyThenDecaysByCosine() {
    LrSchedule s = new LrSchedule(1e-3, 0, 0, 10, 110);
    assertEquals(0, s.at(0), 1e-12);
    assertEquals(5e-4, s.at(5), 1e-12);
    assertEquals(1e-3, s.at(10), 1e-12);
    assertEquals(5e-4, s.at(60), 1e-12);
    assertEquals(0, s.at(110), 1e-12);
    assertEquals(0, s.at(500), 1e-12);
  }
}
