package dev.mmict.worker.cluster;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.TrainLoopTest;

/** Replicas of the worker tests' tiny model ({@link TrainLoopTest#tinyModel}) on the built-in captions. */
final class TinyReplicas {

  /** The built-in captioning task the replicas train on. */
  static final Dataset CAPTION = Datasets.open("shapes-caption");

  private static final WordTokenizer TOKENIZER = TrainLoopTest.tokenizer(CAPTION);

  private TinyReplicas() { }

  /** A replica in MMICT mode with its arrays in {@code m} (the same seed, so equal parameters, every call). */
  static Replica create(NDManager m, boolean deterministic) {
    MmictModel model = TrainLoopTest.tinyModel(m, TOKENIZER);
    model.setTrainable(MmictModel.FINETUNED);
    return new Replica(m, model, new DialogBuilder(TOKENIZER, 16), CAPTION,
        new Replica.Settings(Mode.MMICT, 16, 1.0, 0.05, deterministic));
  }
}
