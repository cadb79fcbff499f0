package dev.mmict.storage.dataset;

import dev.mmict.storage.dataset.real.RealDatasets;
import dev.mmict.storage.dataset.synth.GeneratedDatasets;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a dataset from a task: a built-in name, a YAML file (generated, or a real dataset on
 * disk when its {@code source} is one of {@code coco}, {@code coco-karpathy}, {@code vqav2},
 * {@code msrvtt}, {@code msvd}, {@code msvd-qa}, {@code msrvtt-qa}), or a loaded {@link
 * TaskSpec}.
 */
public final class Datasets {

  private Datasets() {}

  /**
   * The dataset of the built-in task or task file {@code nameOrPath} (see {@link Tasks#load}); a
   * file with a real {@code source} opens through {@link RealDatasets#open(Path)}.
   */
  public static Dataset open(String nameOrPath) {
    Path path = Path.of(nameOrPath);
    if (Files.isRegularFile(path) && RealDatasets.isRealTaskFile(path)) {
      return RealDatasets.open(path);
    }
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
