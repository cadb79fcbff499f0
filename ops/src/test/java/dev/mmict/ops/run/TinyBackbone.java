package dev.mmict.ops.run;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.model.MmictConfig;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.Sample;
import java.nio.file.Path;
import java.util.Map;

/** Test helper: a tiny randomly initialised backbone saved as a model directory, no pretraining. */
public final class TinyBackbone {
  private TinyBackbone() { }

  /** Saves a backbone whose vocabulary covers shapes-caption's first 100 samples at {@code where}. */
  public static Path save(Path where, long seed) throws Exception {
    Dataset caption = Datasets.open("shapes-caption");
    WordTokenizer.Builder b = WordTokenizer.builder();
    for (int i = 0; i < 100; i++) {
      Sample s = caption.get(Dataset.TRAIN, i);
      b.addText(s.text()).addText(s.prompt()).addText(s.target());
    }
    WordTokenizer tok = b.build();
    int v = tok.vocabSize();
    MmictConfig cfg = new MmictConfig(new VitConfig(32, 8, 3, 32, 1, 2, 2.0, 1e-6),
        new MHubConfig(32, 2, 1, 64, 1, 32, 4, v, 64, 1e-12),
        new OptConfig(32, 2, 1, 64, v, 256, 1e-5, tok.padId()), false);
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = new MmictModel(m, cfg, seed, tok.padId())) {
      ModelStore.save(where, model, tok, Map.of());
    }
    return where;
  }
}
