package dev.mmict.hub.mhub;

import ai.djl.ndarray.NDArray;
import dev.mmict.hub.nn.LayerNorm;
import dev.mmict.hub.nn.Linear;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.nn.Scalars;

/**
 * BERT multi-head attention with its post-LayerNorm residual ({@code prefix.self.*},
 * {@code prefix.output.*}); self-attention when the context is the hidden state itself,
 * cross-attention otherwise.
 *
 * <p>Shapes: B batch, N query rows, M key rows, C context width, H hidden, NH heads, D head width.
 */
final class BertAttention {
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final Linear dense;
  private final LayerNorm norm;
  private final int hidden;
  private final int heads;
  private final float scale;

  /** Declares the parameters; keys and values map {@code contextWidth} to the hidden size. */
  BertAttention(Params params, String prefix, MHubConfig cfg, int contextWidth) {
    int h = cfg.hiddenSize();
    this.query = new Linear(params, prefix + "self.query", h, h, true, 0.02);
    this.key = new Linear(params, prefix + "self.key", contextWidth, h, true, 0.02);
    this.value = new Linear(params, prefix + "self.value", contextWidth, h, true, 0.02);
    this.dense = new Linear(params, prefix + "output.dense", h, h, true, 0.02);
    this.norm = new LayerNorm(params, prefix + "output.LayerNorm", h, cfg.layerNormEps());
    this.hidden = h;
    this.heads = cfg.numAttentionHeads();
    this.scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
  }

  /**
   * Attends from {@code hidden} [B, N, H] to {@code context} [B, M, C].
   *
   * @param keyBias [B, 1, 1, M] added to the scores (0 or -10000), or null when every key counts
   * @return [B, N, H]
   */
  NDArray forward(NDArray hiddenStates, NDArray context, NDArray keyBias) {
    long b = hiddenStates.getShape().get(0);
    long n = hiddenStates.getShape().get(1);
    long m = context.getShape().get(1);
    NDArray q = splitHeads(query.forward(hiddenStates), b, n); // [B, NH, N, D]
    NDArray k = splitHeads(key.forward(context), b, m); // [B, NH, M, D]
    NDArray v = splitHeads(value.forward(context), b, m); // [B, NH, M, D]
    NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale); // [B, NH, N, M]
    if (keyBias != null) {
      scores = scores.add(keyBias); // [B, NH, N, M]
    }
    NDArray ctx = scores.softmax(-1).matMul(v) // [B, NH, N, D]
        .transpose(0, 2, 1, 3).reshape(b, n, hidden); // [B, N, H]
    return norm.forward(dense.forward(ctx).add(hiddenStates)); // [B, N, H]
  }

  private NDArray splitHeads(NDArray x, long b, long n) {
    return x.reshape(b, n, heads, hidden / heads).transpose(0, 2, 1, 3); // [B, NH, N, D]
  }
}
