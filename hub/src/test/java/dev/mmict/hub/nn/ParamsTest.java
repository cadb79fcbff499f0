package dev.mmict.hub.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

  @Test
  void assignOverwritesInPlaceAndKeepsTheTensor() {
    try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m, 7)) {
      NDArray w = p.declare("w", new Shape(2, 3), Params.Init.NORMAL, 0.02);
      float[] values = {1, -2, 3.5f, 0, 1e-7f, -1e6f};
      p.assign("w", values);
      assertSame(w, p.get("w"), "assign must not replace the parameter's tensor");
      assertArrayEquals(values, p.get("w").toFloatArray());
      assertEquals(new Shape(2, 3), p.get("w").getShape());
    }
  }

  @Test
  void assignRejectsAWrongNumberOfValuesNamingTheParameter() {
    try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m, 7)) {
      p.declare("layer.weight", new Shape(4), Params.Init.ZEROS, 0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> p.assign("layer.weight", new float[3]));
      assertTrue(e.getMessage().contains("layer.weight") && e.getMessage().contains("4"), e.getMessage());
    }
  }

  @Test
  void loadedValuesSurviveTheSourceTensorsBeingClosedAndCollected() {
    try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m, 7)) {
      p.declare("a", new Shape(64), Params.Init.NORMAL, 0.02);
      float[] expected = new float[64];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = i * 0.25f - 3;
      }
      try (NDManager src = m.newSubManager()) {
        p.load(Map.of("a", src.create(expected.clone(), new Shape(64))), true, "test");
      }
      for (int round = 0; round < 3; round++) {
        System.gc(); // any Java buffer the values depended on would be freed now
        try (NDManager churn = m.newSubManager()) {
          churn.create(new float[1 << 16]).addi(1f); // reuse freed native memory if there is any
        }
      }
      assertArrayEquals(expected, p.get("a").toFloatArray());
    }
  }
}
