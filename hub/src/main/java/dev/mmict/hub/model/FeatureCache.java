package dev.mmict.hub.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory cache of frozen vision-encoder outputs keyed by visual key; valid for one encoder
 * fingerprint, and emptied when the fingerprint changes. Only used while the encoder is frozen.
 * Keeps float32 values exactly; grows with every distinct visual (see the on-disk cache for data
 * sets larger than memory).
 */
public final class FeatureCache implements VisualFeatureStore {
  private final Map<String, float[]> features = new ConcurrentHashMap<>();
  private String fingerprint = "";

  /** The cached features of {@code key} under {@code encoderFingerprint}, or null. */
  @Override
  public float[] get(String encoderFingerprint, String key) {
    return encoderFingerprint.equals(fingerprint) ? features.get(key) : null;
  }

  /**
   * Stores features, forgetting everything cached under another fingerprint; returns them
   * unchanged. Features with a NaN or an infinity are returned but not kept (as the on-disk
   * cache does): a bad forward pass must not be served again to every later attempt.
   */
  @Override
  public synchronized float[] put(String encoderFingerprint, String key, float[] value) {
    if (!encoderFingerprint.equals(fingerprint)) {
      features.clear();
      fingerprint = encoderFingerprint;
    }
    for (float f : value) {
      if (!Float.isFinite(f)) {
        return value;
      }
    }
    features.put(key, value);
    return value;
  }

  /** Number of cached visuals. */
  @Override
  public int size() {
    return features.size();
  }
}
