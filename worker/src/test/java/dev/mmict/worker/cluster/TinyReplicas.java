package dev.mmict.worker.cluster;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.model.MmictConfig;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.worker.train.DialogBuilder;

/** Replicas of a randomly initialised model a few thousand parameters small, on the built-in captions. */
final class TinyReplicas {

  /** The built-in captioning task the replicas train on. */
  static final Dataset CAPTION = Datasets.open("shapes-caption");

  private static final WordTokenizer TOKENIZER = tokenizer();

  private TinyReplicas() { }

  private static WordTokenizer tokenizer() {
    WordTokenizer.Builder b = WordTokenizer.builder();
    for (int i = 0; i < 100; i++) {
      Sample s = CAPTION.get(Dataset.TRAIN, i);
      b.addText(s.text()).addText(s.prompt()).addText(s.target());
    }
    return b.build();
  }

  /** A replica in MMICT mode with its arrays in {@code m} (the same seed, so equal parameters, every call). */
  static Replica create(NDManager m, boolean deterministic) {
    int v = TOKENIZER.vocabSize();
    MmictConfig cfg = new MmictConfig(new VitConfig(32, 8, 3, 32, 1, 2, 2.0, 1e-6),
        new MHubConfig(32, 2, 1, 64, 1, 32, 4, v, 64, 1e-12),
        new OptConfig(32, 2, 1, 64, v, 256, 1e-5, TOKENIZER.padId()), false);
    MmictModel model = new MmictModel(m, cfg, 3, TOKENIZER.padId());
    model.setTrainable(MmictModel.FINETUNED);
    return new Replica(m, model, new DialogBuilder(TOKENIZER, 16), CAPTION,
        new Replica.Settings(Mode.MMICT, 16, 1.0, 0.05, deterministic));
  }
}
