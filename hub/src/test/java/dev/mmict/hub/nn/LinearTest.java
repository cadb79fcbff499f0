package dev.mmict.hub.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Linear}: the item-by-item product against the folded one. */
class LinearTest {

  @Test
  void itemByItemGivesTheFoldedValuesAndTheSameBitsInAnyBatch() {
    // The shipped encoder's fc1 shape: 17 tokens of width 64 to 128.
    try (NDManager m = NDManager.newBaseManager(); Params params = new Params(m, 3)) {
      Linear fc = new Linear(params, "fc", 64, 128, true, 0.5);
      params.get("fc.bias").addi(0.25f);
      NDArray x = TestArrays.uniform(m, new SplittableRandom(5), 12, 17, 64); // [12, 17, 64]
      float[] folded = fc.forward(x).toFloatArray(); // [12, 17, 128]
      float[] perItem = fc.forwardPerItem(x).toFloatArray(); // [12, 17, 128]
      assertArrayEquals(folded, perItem, 1e-5f, "the same map");
      int per = 17 * 128;
      float[][] alone = new float[12][];
      for (int i = 0; i < 12; i++) {
        alone[i] = fc.forwardPerItem(x.get(i + ":" + (i + 1))).toFloatArray(); // [1, 17, 128]
      }
      for (int b = 1; b <= 12; b++) {
        for (int start = 0; start + b <= 12; start += b) {
          float[] y = fc.forwardPerItem(x.get(start + ":" + (start + b))).toFloatArray(); // [b, 17, 128]
          for (int i = 0; i < b; i++) {
            assertArrayEquals(alone[start + i], Arrays.copyOfRange(y, i * per, (i + 1) * per),
                "item " + (start + i) + " at position " + i + " of a batch of " + b);
          }
        }
      }
    }
  }

  @Test
  void theWeightsViewsOfAPerItemProductDieWithTheActivations() {
    try (NDManager m = NDManager.newBaseManager(); Params params = new Params(m, 3)) {
      Linear fc = new Linear(params, "fc", 8, 4, false, 0.5);
      NDManager owner = params.get("fc.weight").getManager();
      int before = owner.getManagedArrays().size();
      try (NDManager step = m.newSubManager()) {
        NDArray x = TestArrays.uniform(step, new SplittableRandom(1), 3, 5, 8); // [3, 5, 8]
        assertEquals(new Shape(3, 5, 4), fc.forwardPerItem(x).getShape());
      }
      assertEquals(before, owner.getManagedArrays().size(), "nothing left attached to the parameters' manager");
    }
  }
}
