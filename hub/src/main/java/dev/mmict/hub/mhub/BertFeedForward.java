package dev.mmict.hub.mhub;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.mmict.hub.nn.LayerNorm;
import dev.mmict.hub.nn.Linear;
import dev.mmict.hub.nn.Params;

/**
 * BERT feed-forward block with exact-erf GELU and post-LayerNorm residual: parameters
 * {@code intermediate<suffix>.dense} and {@code output<suffix>.{dense,LayerNorm}} (suffix "" for
 * text rows, "_query" for query rows). Shapes: B batch, N rows, H hidden, I intermediate.
 */
final class BertFeedForward {
  private final Linear intermediate;
  private final Linear output;
  private final LayerNorm norm;

  BertFeedForward(Params params, String layerPrefix, String suffix, MHubConfig cfg) {
    int h = cfg.hiddenSize();
    int i = cfg.intermediateSize();
    this.intermediate = new Linear(params, layerPrefix + "intermediate" + suffix + ".dense", h, i,
        true, 0.02);
    this.output = new Linear(params, layerPrefix + "output" + suffix + ".dense", i, h, true, 0.02);
    this.norm = new LayerNorm(params, layerPrefix + "output" + suffix + ".LayerNorm", h,
        cfg.layerNormEps());
  }

  /** [B, N, H] to [B, N, H]. */
  NDArray forward(NDArray x) {
    NDArray inner = Activation.gelu(intermediate.forward(x)); // [B, N, I]
    return norm.forward(output.forward(inner).add(x)); // [B, N, H]
  }
}
