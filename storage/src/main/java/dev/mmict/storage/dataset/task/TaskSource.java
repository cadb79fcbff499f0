package dev.mmict.storage.dataset.task;

/** Where a task's pictures come from. */
public enum TaskSource {
  /** Coloured geometric shapes drawn procedurally; needs no files. */
  SHAPES,
  /** Fashion-MNIST items from the IDX files of the Debian package dataset-fashion-mnist. */
  FMNIST
}
