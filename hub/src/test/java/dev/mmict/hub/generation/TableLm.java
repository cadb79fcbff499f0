package dev.mmict.hub.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A toy LM whose logits the tests control exactly. Embeddings are one-hot over the vocabulary
 * (H = V), and position n's logits are {@code e_n · table + (Σ_{m ≤ n} mask_m e_m) · context}:
 * with a zero context matrix they depend only on the token at n ({@code table[token]}); the
 * context term lets a test make the output depend on which earlier positions the mask admits.
 * A prefix position is given as the one-hot of a "state" token, or any vector for padding.
 */
final class TableLm implements CausalLm {
  private final NDArray table; // [V, V]
  private final NDArray context; // [V, V]
  private final NDArray eye; // [V, V]
  int forwardCalls;

  TableLm(NDManager manager, float[][] table, float[][] context) {
    int v = table.length;
    this.table = manager.create(flatten(table), new Shape(v, v));
    this.context = manager.create(flatten(context), new Shape(v, v));
    this.eye = manager.eye(v);
  }

  TableLm(NDManager manager, float[][] table) {
    this(manager, table, new float[table.length][table.length]);
  }

  private static float[] flatten(float[][] m) {
    int v = m.length;
    float[] flat = new float[v * v];
    for (int i = 0; i < v; i++) {
      if (m[i].length != v) {
        throw new IllegalArgumentException("table row " + i + " has " + m[i].length + " entries");
      }
      System.arraycopy(m[i], 0, flat, i * v, v);
    }
    return flat;
  }

  @Override
  public NDArray embedTokens(NDArray ids) {
    return ai.djl.nn.core.Embedding.embedding(ids, eye, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow(); // [B, T, V]
  }

  @Override
  public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
    forwardCalls++;
    NDArray own = inputsEmbeds.matMul(table); // [B, N, V]
    NDArray seen = inputsEmbeds.mul(attentionMask.expandDims(-1)).cumSum(1); // [B, N, V]
    return own.add(seen.matMul(context)); // [B, N, V]
  }
}
