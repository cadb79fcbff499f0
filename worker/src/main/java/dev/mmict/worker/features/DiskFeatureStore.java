package dev.mmict.worker.features;

import dev.mmict.hub.model.VisualFeatureStore;
import dev.mmict.storage.cache.DiskFeatureCache;
import dev.mmict.storage.records.CorruptRecordException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's {@link VisualFeatureStore} over storage's {@link DiskFeatureCache}: opens the cache
 * directory of whatever encoder fingerprint the model asks for under one root, and turns what a
 * cache cannot serve into a miss, so the model encodes that visual again:
 *
 * <ul>
 *   <li>a corrupt record: logged with its shard and offset, then replaced by the fresh features;
 *   <li>features float16 cannot hold (|v| &gt; 65504, NaN): not stored, logged once, used as they are;
 *   <li>a directory another process writes: read-only; misses are not stored.
 * </ul>
 *
 * <p>What the model gets for a miss is rounded to float16 whenever it could have been stored, so
 * a run computes the same whether the cache was cold or warm.
 */
public final class DiskFeatureStore implements VisualFeatureStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiskFeatureStore.class);

  private final Path root;
  private final int tokensPerFrame;
  private final int width;
  private final DiskFeatureCache.Options options;
  private DiskFeatureCache cache;
  private boolean warnedRange;

  /**
   * @param root the cache root ({@code cache.dir}); one subdirectory per encoder fingerprint
   * @param tokensPerFrame L: the vision encoder's tokens per frame (CLS + patches)
   * @param width E: the vision encoder's width
   */
  public DiskFeatureStore(Path root, int tokensPerFrame, int width, DiskFeatureCache.Options options) {
    this.root = root;
    this.tokensPerFrame = tokensPerFrame;
    this.width = width;
    this.options = options;
  }

  @Override
  public float[] get(String encoderFingerprint, String key) {
    DiskFeatureCache c = cache(encoderFingerprint);
    try {
      return c.get(key);
    } catch (CorruptRecordException e) {
      LOG.warn("feature cache {}: {}; encoding '{}' again", c.dir(), e.getMessage(), key);
      return null;
    }
  }

  @Override
  public synchronized float[] put(String encoderFingerprint, String key, float[] features) {
    DiskFeatureCache c = cache(encoderFingerprint);
    if (!DiskFeatureCache.representable(features)) {
      if (!warnedRange) {
        warnedRange = true;
        LOG.warn("feature cache {}: features of '{}' exceed float16's range; such visuals are not cached", c.dir(),
            key);
      }
      return features;
    }
    return c.writable() ? c.put(key, features) : DiskFeatureCache.asStored(features);
  }

  @Override
  public synchronized int size() {
    return cache == null ? 0 : cache.size();
  }

  /** The counters of the cache in use (zeros before the first lookup). */
  public synchronized DiskFeatureCache.Stats stats() {
    return cache == null ? new DiskFeatureCache.Stats(0, 0, 0, 0) : cache.stats();
  }

  /** Commits what was written and releases the directory. */
  @Override
  public synchronized void close() {
    if (cache != null) {
      DiskFeatureCache c = cache;
      cache = null;
      DiskFeatureCache.Stats s = c.stats();
      LOG.info("feature cache {}: {} hit(s), {} miss(es), {} written, {} corrupt; {} visual(s) stored", c.dir(),
          s.hits(), s.misses(), s.writes(), s.corrupt(), c.size());
      c.close();
    }
  }

  private synchronized DiskFeatureCache cache(String fingerprint) {
    if (cache == null || !cache.spec().fingerprint().equals(fingerprint)) {
      close();
      cache = DiskFeatureCache.open(root, new DiskFeatureCache.Spec(fingerprint, tokensPerFrame, width), options);
    }
    return cache;
  }
}
