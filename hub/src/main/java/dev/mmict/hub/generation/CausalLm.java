package dev.mmict.hub.generation;

import ai.djl.ndarray.NDArray;

/**
 * A decoder-only language model seen by {@link Generator}: it embeds token ids and maps soft
 * input embeddings to next-token logits at every position.
 *
 * <p>Shape letters: B batch, T tokens, N positions, H hidden size, V vocabulary.
 *
 * <p>{@link Generator} calls both methods inside an {@code NDScope} that closes every array
 * created during the call: an implementation must not keep arrays it creates there (caches of
 * masks or positions) unless it {@code NDScope.unregister}s them.
 */
public interface CausalLm {

  /**
   * Embeds token ids.
   *
   * @param ids [B, T] int64 token ids
   * @return [B, T, H] input embeddings
   */
  NDArray embedTokens(NDArray ids);

  /**
   * Runs the model over input embeddings.
   *
   * @param inputsEmbeds [B, N, H]
   * @param attentionMask [B, N], 1 for real positions and 0 for (left) padding, in the dtype
   *     the caller passed to {@link Generator#generate}
   * @return [B, N, V] logits; position n predicts the token after position n
   */
  NDArray forward(NDArray inputsEmbeds, NDArray attentionMask);
}
