package dev.mmict.hub.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** An affine map {@code y = x W^T + b} with {@code W} stored as [out, in] (PyTorch layout). */
public final class Linear {
  private final Params params;
  private final String weight;
  private final String bias;

  /** Declares {@code prefix.weight} [out, in] and, if {@code withBias}, {@code prefix.bias} [out]. */
  public Linear(Params params, String prefix, int in, int out, boolean withBias, double std) {
    this.params = params;
    this.weight = prefix + ".weight";
    this.bias = withBias ? prefix + ".bias" : null;
    params.declare(weight, new Shape(out, in), Params.Init.NORMAL, std);
    if (withBias) {
      params.declare(bias, new Shape(out), Params.Init.ZEROS, 0);
    }
  }

  /** Maps the last axis: [..., in] to [..., out]. */
  public NDArray forward(NDArray x) {
    NDArray w = params.get(weight); // [out, in]
    return bias == null
        ? ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow() // [..., out]
        : ai.djl.nn.core.Linear.linear(x, w, params.get(bias)).singletonOrThrow(); // [..., out]
  }
}
