package dev.mmict.hub.model;

/**
 * Where {@link MmictModel#encodeVisuals} keeps the outputs of its frozen vision encoder (the ViT
 * tokens before the trainable {@code ln_vision}), by encoder fingerprint and visual key. The model
 * only calls it while the encoder is frozen; a store must never return features stored under
 * another fingerprint.
 */
public interface VisualFeatureStore extends AutoCloseable {

  /** The features [V·E, flattened] of {@code key} under {@code encoderFingerprint}, or null. */
  float[] get(String encoderFingerprint, String key);

  /**
   * Stores the features of {@code key} and returns what {@link #get} will give back for it (the
   * same values, or the values as the store keeps them, e.g. rounded to float16). The model uses
   * the returned values, so a run computes the same thing whether the store was warm or cold.
   */
  float[] put(String encoderFingerprint, String key, float[] features);

  /** Number of visuals stored (for reports). */
  int size();

  /** Releases what the store holds (files, locks); the model calls it when it is closed. Default: nothing. */
  @Override
  default void close() {
  }
}
