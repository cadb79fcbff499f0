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

  /**
   * Maps the last axis item by item: [B, T, in] to [B, T, out] as B products of [T, in] by [in, out]
   * in one batched call. Same values as {@link #forward}, but batch-invariant bits: see {@link
   * #perItem}.
   */
  public NDArray forwardPerItem(NDArray x) {
    return perItem(x, params.get(weight), bias == null ? null : params.get(bias)); // [B, T, out]
  }

  /**
   * {@code x W^T + b} item by item: [B, T, in] by [out, in] to [B, T, out], one [T, in] by [in, out]
   * product per item (a batched matrix product), rather than one product of [B·T, in] by
   * [in, out] as {@link #forward} does.
   *
   * <p>Why: oneMKL may round a row of a matrix product differently when the product has another
   * number of rows; with {@code MKL_CBWR=AVX2} on an AVX-512 machine an item's outputs in a batch
   * of 5 differ in the last bits from the same item's alone. Here every item's product has the
   * same shape whatever the batch, so an item gets the same bits in any batch, at any position.
   * The vision encoder relies on it: which pictures it encodes together depends on what the
   * feature cache already holds, and a run's bits must not.
   *
   * @param bias [out], or null for none
   */
  public static NDArray perItem(NDArray x, NDArray weight, NDArray bias) {
    Shape s = x.getShape();
    Shape w = weight.getShape();
    NDArray t = weight.transpose(); // [in, out], a view
    t.attach(x.getManager()); // per-call views die with the activations, not with the parameters
    NDArray wt = t.expandDims(0) // [1, in, out]
        .broadcast(new Shape(s.get(0), w.get(1), w.get(0))); // [B, in, out], a view
    NDArray y = x.batchMatMul(wt); // [B, T, out]
    return bias == null ? y : y.add(bias); // [B, T, out]
  }
}
