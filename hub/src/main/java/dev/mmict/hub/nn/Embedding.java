package dev.mmict.hub.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/** A lookup table {@code name} of shape [rows, dim]. */
public final class Embedding {
  private final Params params;
  private final String name;

  /** Declares the table {@code name} [rows, dim] with normal(0, std) values. */
  public Embedding(Params params, String name, int rows, int dim, double std) {
    this.params = params;
    this.name = name;
    params.declare(name, new Shape(rows, dim), Params.Init.NORMAL, std);
  }

  /** The table itself, [rows, dim]. */
  public NDArray table() {
    return params.get(name);
  }

  /** Looks up integer ids [...] giving [..., dim]. */
  public NDArray forward(NDArray ids) {
    return ai.djl.nn.core.Embedding.embedding(ids, table(), SparseFormat.DENSE).singletonOrThrow(); // [..., dim]
  }
}
