package dev.mmict.storage.dataset;

import dev.mmict.storage.dataset.synth.GeneratedDatasets;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;

/** Opens a dataset from a task: a built-in name, a YAML file, or a loaded {@link TaskSpec}. */
public final class Datasets {

  private Datasets() {}

  /** The dataset of the built-in task or task file {@code nameOrPath} (see {@link Tasks#load}). */
  public static Dataset open(String nameOrPath) {
    return open(Tasks.load(nameOrPath));
  }

  /**
   * The dataset {@code spec} describes; an fmnist task reads its IDX files now and fails with
   * install instructions if they are missing.
   */
  public static Dataset open(TaskSpec spec) {
    return GeneratedDatasets.open(spec);
  }
}
