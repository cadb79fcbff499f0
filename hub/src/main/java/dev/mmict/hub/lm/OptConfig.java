package dev.mmict.hub.lm;

import dev.mmict.hub.io.ConfigMetadata;
import java.util.Map;

/**
 * Shape of an OPT-layout decoder (pre-LayerNorm, learned positions with offset 2, ReLU
 * feed-forward, lm_head tied to the token embedding), named as in Hugging Face's OPTConfig.
 *
 * @param maxPositionEmbeddings positions the model can address; the table has two more rows
 */
public record OptConfig(int hiddenSize, int numAttentionHeads, int numHiddenLayers, int ffnDim,
    int vocabSize, int maxPositionEmbeddings, double layerNormEps, int padTokenId) {

  /** Validates the configuration. */
  public OptConfig {
    requirePositive("hidden_size", hiddenSize);
    requirePositive("num_attention_heads", numAttentionHeads);
    requirePositive("num_hidden_layers", numHiddenLayers);
    requirePositive("ffn_dim", ffnDim);
    requirePositive("vocab_size", vocabSize);
    requirePositive("max_position_embeddings", maxPositionEmbeddings);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("OPT config: hidden_size " + hiddenSize
          + " is not divisible by num_attention_heads " + numAttentionHeads);
    }
    if (!(layerNormEps > 0)) {
      throw new IllegalArgumentException("OPT config: layer_norm_eps must be > 0, got " + layerNormEps);
    }
    if (padTokenId < 0 || padTokenId >= vocabSize) {
      throw new IllegalArgumentException("OPT config: pad_token_id " + padTokenId
          + " is outside the vocabulary [0, " + vocabSize + ")");
    }
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("OPT config: " + key + " must be > 0, got " + value);
    }
  }

  /** Width of one attention head. */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * Reads the Hugging Face keys ({@code hidden_size}, {@code num_attention_heads},
   * {@code num_hidden_layers}, {@code ffn_dim}, {@code vocab_size},
   * {@code max_position_embeddings}, {@code layer_norm_eps}, {@code pad_token_id}) from a string
   * map such as the oracle's {@code __metadata__}; rejects variants this implementation does not
   * compute (another activation, post-LayerNorm, a projected embedding width).
   *
   * @param source names the map's origin in error messages
   */
  public static OptConfig fromMetadata(Map<String, String> metadata, String source) {
    ConfigMetadata m = new ConfigMetadata(metadata, source);
    m.requireIfPresent("activation_function", "relu", "the OPT feed-forward is ReLU");
    if (!m.string("do_layer_norm_before", "true").equalsIgnoreCase("true")) {
      throw new IllegalArgumentException(source + ": do_layer_norm_before is false;"
          + " only pre-LayerNorm OPT is supported");
    }
    int hidden = m.integer("hidden_size");
    if (m.integer("word_embed_proj_dim", hidden) != hidden) {
      throw new IllegalArgumentException(source + ": word_embed_proj_dim differs from hidden_size;"
          + " projected OPT embeddings are not supported");
    }
    return new OptConfig(hidden, m.integer("num_attention_heads"), m.integer("num_hidden_layers"),
        m.integer("ffn_dim"), m.integer("vocab_size"), m.integer("max_position_embeddings"),
        m.number("layer_norm_eps"), m.integer("pad_token_id", 1));
  }
}
