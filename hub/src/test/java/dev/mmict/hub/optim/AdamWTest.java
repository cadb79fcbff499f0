package dev.mmict.hub.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.nn.Params;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

  /** The per-parameter update the flat one replaced, operator for operator, as the reference. */
  private static void referenceUpdate(Params p, Map<String, NDArray> grads, Map<String, NDArray[]> moments,
      long step, double lr, double wd) {
    double bc1 = 1 - Math.pow(0.9, step);
    double bc2 = 1 - Math.pow(0.999, step);
    for (Params.Param q : p.trainable()) {
      NDArray g = grads.get(q.name());
      NDArray[] mv = moments.computeIfAbsent(q.name(),
          k -> new NDArray[] {q.value().zerosLike(), q.value().zerosLike()});
      mv[0].muli(0.9).addi(g.mul(1 - 0.9));
      mv[1].muli(0.999).addi(g.square().muli(1 - 0.999));
      NDArray denom = mv[1].div(bc2).sqrt().addi(1e-8);
      NDArray update = mv[0].div(bc1).divi(denom);
      if (q.decays() && wd > 0) {
        q.value().muli(1 - lr * wd);
      }
      q.value().subi(update.muli(lr));
    }
  }

  private static Params model(NDManager m, long seed) {
    Params p = new Params(m, seed);
    p.declare("a.weight", new Shape(3, 4), Params.Init.NORMAL, 0.5);
    p.declare("a.bias", new Shape(4), Params.Init.NORMAL, 0.5);
    p.declare("frozen", new Shape(2, 2), Params.Init.NORMAL, 0.5);
    p.declare("b.kernel", new Shape(2, 3, 2), Params.Init.NORMAL, 0.5);
    p.declare("c", new Shape(1), Params.Init.NORMAL, 0.5);
    p.setTrainable(n -> !n.equals("frozen"));
    return p;
  }

  private static Map<String, NDArray> gradients(NDManager m, Params p, Random rng) {
    Map<String, NDArray> g = new java.util.LinkedHashMap<>();
    for (Params.Param q : p.trainable()) {
      float[] v = new float[(int) q.value().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rng.nextGaussian();
      }
      g.put(q.name(), m.create(v, q.value().getShape()));
    }
    return g;
  }

  @Test
  void theFlatUpdateIsBitwiseThePerParameterOne() {
    try (NDManager m = NDManager.newBaseManager(); Params flat = model(m, 7); Params ref = model(m, 7);
        AdamW opt = new AdamW(m, 0.9, 0.999, 1e-8, 0.05)) {
      Map<String, NDArray[]> moments = new java.util.HashMap<>();
      Random rng = new Random(3);
      for (int step = 1; step <= 4; step++) {
        Map<String, NDArray> g = gradients(m, flat, rng);
        opt.update(flat, g, 0.01 * step);
        referenceUpdate(ref, g, moments, step, 0.01 * step, 0.05);
      }
      for (Params.Param q : flat.all().values()) {
        assertArrayEquals(ref.get(q.name()).toFloatArray(), q.value().toFloatArray(), 0f, q.name());
      }
      Map<String, NDArray> state = opt.state();
      assertEquals(8, state.size(), "two moments for each of the four trainable parameters");
      for (Map.Entry<String, NDArray[]> e : moments.entrySet()) {
        NDArray first = state.get(e.getKey() + ".exp_avg");
        assertEquals(e.getValue()[0].getShape(), first.getShape(), e.getKey());
        assertArrayEquals(e.getValue()[0].toFloatArray(), first.toFloatArray(), 0f, e.getKey());
        assertArrayEquals(e.getValue()[1].toFloatArray(), state.get(e.getKey() + ".exp_avg_sq").toFloatArray(), 0f);
      }
      assertEquals(null, state.get("frozen.exp_avg"), "a frozen parameter has no moments");
    }
  }

  @Test
  void aFlatGradientInDeclarationOrderUpdatesAsTheNamedOnes() {
    try (NDManager m = NDManager.newBaseManager(); Params named = model(m, 9); Params flat = model(m, 9);
        AdamW a = AdamW.defaults(m); AdamW b = AdamW.defaults(m)) {
      Random rng = new Random(4);
      for (int step = 0; step < 3; step++) {
        Map<String, NDArray> g = gradients(m, named, rng);
        a.update(named, g, 0.01);
        NDArray joined = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(
            g.values().stream().map(x -> x.reshape(-1)).toArray(NDArray[]::new)));
        b.update(flat, m.create(joined.toFloatArray()), 0.01);
      }
      for (Params.Param q : named.all().values()) {
        assertArrayEquals(q.value().toFloatArray(), flat.get(q.name()).toFloatArray(), 0f, q.name());
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> b.update(flat, m.zeros(new Shape(5)), 0.01));
      assertTrue(e.getMessage().contains("for 29 trainable elements"), e.getMessage());
    }
  }

  @Test
  void restoringTheStateContinuesBitwiseAsIfNeverStopped() {
    try (NDManager m = NDManager.newBaseManager(); Params straight = model(m, 5); Params scratch = model(m, 5);
        AdamW a = new AdamW(m, 0.9, 0.999, 1e-8, 0.05)) {
      Random rng = new Random(11);
      List<Map<String, NDArray>> gs = List.of(gradients(m, straight, rng), gradients(m, straight, rng),
          gradients(m, straight, rng));
      for (Map<String, NDArray> g : gs) {
        a.update(straight, g, 0.02);
      }
      Map<String, NDArray> saved;
      try (AdamW first = new AdamW(m, 0.9, 0.999, 1e-8, 0.05)) {
        first.update(scratch, gs.get(0), 0.02);
        saved = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : first.state().entrySet()) {
          saved.put(e.getKey(), m.create(e.getValue().toFloatArray(), e.getValue().getShape()));
        }
        first.update(scratch, gs.get(1), 0.02); // an update that is then undone: moments must not leak into saved
      }
      try (AdamW second = new AdamW(m, 0.9, 0.999, 1e-8, 0.05)) {
        second.restore(saved, 1);
        assertEquals(saved.keySet(), second.state().keySet(), "restored state is readable before an update");
        // roll the parameters back to after step 1 by replaying from scratch
        try (Params again = model(m, 5); AdamW replay = new AdamW(m, 0.9, 0.999, 1e-8, 0.05)) {
          replay.update(again, gs.get(0), 0.02);
          second.update(again, gs.get(1), 0.02);
          second.update(again, gs.get(2), 0.02);
          assertEquals(3, second.step());
          for (Params.Param q : straight.all().values()) {
            assertArrayEquals(q.value().toFloatArray(), again.get(q.name()).toFloatArray(), 0f, q.name());
          }
        }
      }
    }
  }

  @Test
  void anotherTrainableSetOrForeignStateIsRefused() {
    try (NDManager m = NDManager.newBaseManager(); Params p = model(m, 1); AdamW opt = AdamW.defaults(m)) {
      opt.update(p, gradients(m, p, new Random(1)), 0.01);
      p.setTrainable(n -> n.startsWith("a."));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> opt.update(p, gradients(m, p, new Random(2)), 0.01));
      assertTrue(e.getMessage().contains("trainable parameters changed"), e.getMessage());
    }
    try (NDManager m = NDManager.newBaseManager(); Params p = model(m, 1); AdamW opt = AdamW.defaults(m)) {
      opt.restore(Map.of("frozen.exp_avg", m.zeros(new Shape(2, 2))), 3);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> opt.update(p, gradients(m, p, new Random(2)), 0.01));
      assertTrue(e.getMessage().contains("'frozen.exp_avg' belongs to no trainable parameter"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> opt.restore(Map.of("x.momentum", m.zeros(new Shape(1))), 1));
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
