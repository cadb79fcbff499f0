package dev.mmict.hub.mhub;

import dev.mmict.hub.io.ConfigMetadata;
import java.util.Map;

/**
 * Shape of the M-Hub, the instruction-aware Q-Former (BERT layout with query tokens, periodic
 * cross-attention to the image features and separate query/text feed-forward blocks).
 *
 * @param crossAttentionFreq layers with {@code index % crossAttentionFreq == 0} cross-attend
 * @param encoderWidth width of the image features the queries cross-attend to
 * @param maxPositionEmbeddings the longest text the position table addresses
 */
public record MHubConfig(int hiddenSize, int numAttentionHeads, int numHiddenLayers,
    int intermediateSize, int crossAttentionFreq, int encoderWidth, int numQueryTokens,
    int vocabSize, int maxPositionEmbeddings, double layerNormEps) {

  /** Validates the configuration. */
  public MHubConfig {
    requirePositive("hidden_size", hiddenSize);
    requirePositive("num_attention_heads", numAttentionHeads);
    requirePositive("num_hidden_layers", numHiddenLayers);
    requirePositive("intermediate_size", intermediateSize);
    requirePositive("cross_attention_freq", crossAttentionFreq);
    requirePositive("encoder_width", encoderWidth);
    requirePositive("num_query_tokens", numQueryTokens);
    requirePositive("vocab_size", vocabSize);
    requirePositive("max_position_embeddings", maxPositionEmbeddings);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("M-Hub config: hidden_size " + hiddenSize
          + " is not divisible by num_attention_heads " + numAttentionHeads);
    }
    if (!(layerNormEps > 0)) {
      throw new IllegalArgumentException("M-Hub config: layer_norm_eps must be > 0, got "
          + layerNormEps);
    }
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("M-Hub config: " + key + " must be > 0, got " + value);
    }
  }

  /** Width of one attention head. */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** Whether layer {@code layer} has cross-attention to the image features. */
  public boolean hasCrossAttention(int layer) {
    return layer % crossAttentionFreq == 0;
  }

  /**
   * Reads the oracle's {@code __metadata__} keys ({@code hidden_size}, {@code num_attention_heads},
   * {@code num_hidden_layers}, {@code intermediate_size}, {@code cross_attention_freq},
   * {@code encoder_width}, {@code num_query_tokens}, {@code vocab_size},
   * {@code max_position_embeddings}, {@code layer_norm_eps}); rejects a {@code hidden_act} other
   * than exact GELU.
   *
   * @param source names the map's origin in error messages
   */
  public static MHubConfig fromMetadata(Map<String, String> metadata, String source) {
    ConfigMetadata m = new ConfigMetadata(metadata, source);
    m.requireIfPresent("hidden_act", "gelu", "the M-Hub feed-forward uses exact-erf GELU");
    return new MHubConfig(m.integer("hidden_size"), m.integer("num_attention_heads"),
        m.integer("num_hidden_layers"), m.integer("intermediate_size"),
        m.integer("cross_attention_freq"), m.integer("encoder_width"),
        m.integer("num_query_tokens"), m.integer("vocab_size"),
        m.integer("max_position_embeddings"), m.number("layer_norm_eps"));
  }
}
