package dev.mmict.storage.dataset;

import java.util.List;

/**
 * A read-only, randomly addressable dataset with named splits ("train", "val", "test").
 *
 * <p>Implementations must be deterministic: {@code get(split, i)} returns an equal sample every
 * time, in every process, so a coordinator can plan with indices and workers can materialise
 * them independently. Implementations are safe for concurrent reads (the generated ones keep no
 * mutable state), so a worker may materialise a batch on several threads.
 */
public interface Dataset {

  /** The training split's name. */
  String TRAIN = "train";
  /** The validation split's name. */
  String VAL = "val";
  /** The test split's name. */
  String TEST = "test";

  /** The dataset's (task's) name. */
  String name();

  /** The split names, in a fixed order. */
  List<String> splits();

  /** Number of samples in {@code split}; throws for an unknown split. */
  int size(String split);

  /** Sample {@code index} (0-based) of {@code split}; throws for an unknown split or index. */
  Sample get(String split, int index);

  /**
   * The id of sample {@code index} (equal to {@code get(split, index).id()}); the default
   * materialises the sample, generated datasets answer without rendering anything.
   */
  default String id(String split, int index) {
    return get(split, index).id();
  }

  /**
   * Whether sample {@code index} may be a query; the default materialises the sample, grouped
   * datasets answer without rendering anything.
   */
  default boolean isQueryable(String split, int index) {
    return get(split, index).queryable();
  }

  /**
   * Indices of every sample of {@code split} in the same group as sample {@code index}, itself
   * included, ascending; just {@code {index}} for an ungrouped sample.
   */
  default int[] groupIndices(String split, int index) {
    checkIndex(this, split, index);
    return new int[] {index};
  }

  /** Throws a message naming the dataset, split and size when {@code index} is out of range. */
  static void checkIndex(Dataset dataset, String split, int index) {
    int size = dataset.size(split);
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(
          dataset.name() + "/" + split + ": index " + index + " outside [0, " + size + ")");
    }
  }
}
