package dev.mmict.storage.dataset.synth;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.fmnist.FashionMnist;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;

/** Builds the generated dataset of a task (the public entry is {@code Datasets.open}). */
public final class GeneratedDatasets {

  private GeneratedDatasets() {}

  /** The dataset of {@code spec}, rendering shapes or Fashion-MNIST pictures. */
  public static Dataset open(TaskSpec spec) {
    SpriteSource sprites = switch (spec.source()) {
      case SHAPES -> SpriteSource.shapes(spec.shapes());
      case FMNIST -> SpriteSource.fmnist(FashionMnist.load(spec.fmnistDir()));
    };
    return spec.kind() == TaskKind.FASTBINDING
        ? new FastBindingDataset(spec, sprites)
        : new SceneDataset(spec, sprites);
  }
}
