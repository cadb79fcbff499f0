package dev.mmict.hub.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Random test inputs for the hub's tests. */
public final class TestArrays {

  private TestArrays() { }

  /** An array of {@code shape} in {@code m}, uniform in [-1, 1) from {@code rng}. */
  public static NDArray uniform(NDManager m, SplittableRandom rng, long... shape) {
    Shape s = new Shape(shape);
    float[] v = new float[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return m.create(v, s);
  }
}
