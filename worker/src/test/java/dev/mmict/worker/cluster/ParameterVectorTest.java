package dev.mmict.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mmict.hub.nn.Params;
import org.junit.jupiter.api.Test;

/** The flat gradient view: what it takes, and that it leaves nothing behind, NaN included. */
class ParameterVectorTest {

  /** Backward of sum(w · factors) for the two parameters: the gradient is the factors. */
  private static void backward(Params params, NDManager m, float[] a, float[] b) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = params.get("a").mul(m.create(a, new Shape(2))).sum() // []
          .add(params.get("b").mul(m.create(b, new Shape(3))).sum()); // []
      gc.backward(loss);
    }
  }

  @Test
  void takenGradientsAreFlatInDeclarationOrderAndZeroedAfterwardsEvenWhenNotFinite() {
    try (NDManager m = NDManager.newBaseManager(); Params params = new Params(m, 1)) {
      params.declare("a", new Shape(2), Params.Init.ONES, 0);
      params.declare("b", new Shape(3), Params.Init.ONES, 0);
      params.setTrainable(n -> true);
      ParameterVector vector = new ParameterVector(params);
      assertEquals(5, vector.length());

      backward(params, m, new float[] {1, 2}, new float[] {Float.NaN, 4, Float.POSITIVE_INFINITY});
      float[] first = vector.takeGradients();
      assertArrayEquals(new float[] {1, 2, Float.NaN, 4, Float.POSITIVE_INFINITY}, first);

      // PyTorch adds each backward pass to the gradient already there: NaN · 0 would stay NaN.
      backward(params, m, new float[] {5, 6}, new float[] {7, 8, 9});
      assertArrayEquals(new float[] {5, 6, 7, 8, 9}, vector.takeGradients());

      backward(params, m, new float[] {Float.NaN, 1}, new float[] {1, 1, 1});
      vector.zeroGradients(); // an attempt cut short after its backward pass
      backward(params, m, new float[] {3, 3}, new float[] {3, 3, 3});
      float[] clean = vector.takeGradients();
      for (float v : clean) {
        assertTrue(v == 3f, java.util.Arrays.toString(clean));
      }
    }
  }

  @Test
  void theSnapshotHashesNamesThenLittleEndianFloatsAndReturnsTheSameValues() throws Exception {
    try (NDManager m = NDManager.newBaseManager(); Params params = new Params(m, 1)) {
      params.declare("a", new Shape(2), Params.Init.ONES, 0);
      params.declare("b", new Shape(3), Params.Init.ONES, 0);
      params.setTrainable(n -> true);
      params.assign("a", new float[] {1.5f, -2f});
      params.assign("b", new float[] {0.25f, Float.MIN_VALUE, 3e7f});
      ParameterVector vector = new ParameterVector(params);

      // The checksum's definition, byte by byte: "a", its floats little-endian, then "b", its floats.
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
      expected.write('a');
      for (float f : new float[] {1.5f, -2f}) {
        int bits = Float.floatToRawIntBits(f);
        expected.write(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
      }
      expected.write('b');
      for (float f : new float[] {0.25f, Float.MIN_VALUE, 3e7f}) {
        int bits = Float.floatToRawIntBits(f);
        expected.write(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
      }
      byte[] want = md.digest(expected.toByteArray());

      ParameterVector.Snapshot s = vector.snapshot();
      assertArrayEquals(want, s.sha256());
      assertArrayEquals(want, vector.sha256());
      assertArrayEquals(new float[] {1.5f, -2f, 0.25f, Float.MIN_VALUE, 3e7f}, s.values());
      assertArrayEquals(vector.values(), s.values());
    }
  }
}
