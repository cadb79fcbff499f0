package dev.mmict.hub.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Layer normalisation over the last axis with gain {@code prefix.weight} and {@code prefix.bias}. */
public final class LayerNorm {
  private final Params params;
  private final String prefix;
  private final int dim;
  private final float eps;

  /** Declares the gain (ones) and bias (zeros), both [dim]. */
  public LayerNorm(Params params, String prefix, int dim, double eps) {
    this.params = params;
    this.prefix = prefix;
    this.dim = dim;
    this.eps = (float) eps;
    params.declare(prefix + ".weight", new Shape(dim), Params.Init.ONES, 0);
    params.declare(prefix + ".bias", new Shape(dim), Params.Init.ZEROS, 0);
  }

  /** Normalises [..., dim] to [..., dim]. */
  public NDArray forward(NDArray x) {
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), params.get(prefix + ".weight"),
        params.get(prefix + ".bias"), eps).singletonOrThrow(); // [..., dim]
  }
}
