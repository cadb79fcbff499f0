package dev.mmict.ops.run;

import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.ops.config.CacheConfig;
import dev.mmict.storage.cache.DiskFeatureCache;
import dev.mmict.worker.features.DiskFeatureStore;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gives a model the feature store its {@code cache} configuration asks for. */
public final class FeatureStores {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureStores.class);

  private FeatureStores() { }

  /**
   * Disabled: no store (the encoder runs on every visual). A {@code dir}: the on-disk cache there,
   * closed with the model. Otherwise the model keeps its in-memory cache.
   */
  public static void attach(CacheConfig cache, MmictModel model) {
    if (!cache.enabled()) {
      model.setFeatureStore(null);
      LOG.info("feature cache off: the vision encoder runs on every visual");
      return;
    }
    if (cache.dir().isBlank()) {
      return;
    }
    VitConfig v = model.config().vision();
    model.setFeatureStore(new DiskFeatureStore(Path.of(cache.dir()), v.tokensPerImage(), v.width(),
        DiskFeatureCache.Options.DEFAULTS));
  }
}
