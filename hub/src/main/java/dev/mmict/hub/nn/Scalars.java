package dev.mmict.hub.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between a tensor and a constant, for every op whose backward pass reads the
 * constant. DJL's {@code NDArray.mul(Number)} (likewise {@code div}, {@code pow}, {@code maximum})
 * wraps the number in a tensor over a Java direct buffer and closes that tensor right after the
 * op, but autograd keeps it for the backward pass (d(x·c)/dx = c): once the garbage collector
 * frees the buffer, the gradient reads freed memory and comes out NaN or wrong, now and then.
 * The constants here live in memory PyTorch allocates and counts references to, so autograd's
 * copy outlives the Java handle.
 */
public final class Scalars {

  private Scalars() { }

  /** {@code x · c}, elementwise. */
  public static NDArray mul(NDArray x, float c) {
    try (NDArray constant = constant(x, c)) { // [] owned by PyTorch
      return x.mul(constant); // [shape of x]
    }
  }

  /** {@code x / c}, elementwise. */
  public static NDArray div(NDArray x, float c) {
    try (NDArray constant = constant(x, c)) { // [] owned by PyTorch
      return x.div(constant); // [shape of x]
    }
  }

  /** {@code max(x, c)}, elementwise. */
  public static NDArray maximum(NDArray x, float c) {
    try (NDArray constant = constant(x, c)) { // [] owned by PyTorch
      return x.maximum(constant); // [shape of x]
    }
  }

  /** A rank-0 tensor of {@code x}'s type holding {@code c}, allocated by the engine. */
  private static NDArray constant(NDArray x, float c) {
    return x.getManager().full(new Shape(), c, x.getDataType()); // []
  }
}
