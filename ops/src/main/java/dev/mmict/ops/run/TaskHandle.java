package dev.mmict.ops.run;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.config.DataConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import dev.mmict.storage.records.PackedDataset;
import dev.mmict.worker.train.Evaluator;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * An opened task: its definition, its dataset, and how its demonstrations and metrics follow
 * from its kind.
 */
record TaskHandle(String name, TaskSpec spec, Dataset dataset) implements AutoCloseable {

  /**
   * Opens {@code data.task}; with {@code data.packed} set, its samples are read from that packed
   * record directory (`mmict data pack`) instead, record by record, after checking that the pack
   * holds this task's dataset. A missing or damaged pack is a data error.
   */
  static TaskHandle open(DataConfig data) {
    TaskHandle task = open(data.task());
    if (data.packed().isEmpty()) {
      return task;
    }
    Path dir = Path.of(data.packed());
    PackedDataset pack;
    try {
      pack = PackedDataset.open(dir);
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.dataError("data.packed: cannot open the pack at " + dir + ": " + e.getMessage(), e);
    }
    if (!pack.name().equals(task.dataset().name())) {
      closeQuietlyAfter(pack);
      throw CommandFailure.dataError("data.packed: " + dir + " holds dataset '" + pack.name()
          + "', but data.task '" + data.task() + "' reads dataset '" + task.dataset().name() + "'", null);
    }
    return new TaskHandle(task.name(), task.spec(), pack);
  }

  private static void closeQuietlyAfter(PackedDataset pack) {
    try {
      pack.close();
    } catch (IOException e) {
      LoggerFactory.getLogger(TaskHandle.class).warn("closing the pack at {} failed", pack.directory(), e);
    }
  }

  /** Closes the dataset when it holds files (a packed dataset); built-in datasets hold none. */
  @Override
  public void close() throws IOException {
    if (dataset instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("closing dataset " + dataset.name() + " failed", e);
      }
    }
  }

  /** Opens a built-in task or a task YAML; a broken definition or missing data is a data error. */
  static TaskHandle open(String nameOrPath) {
    try {
      TaskSpec spec = Tasks.load(nameOrPath);
      return new TaskHandle(spec.name(), spec, Datasets.open(spec));
    } catch (RuntimeException e) {
      throw CommandFailure.dataError("task '" + nameOrPath + "': " + e.getMessage(), e);
    }
  }

  boolean grouped() {
    return spec.kind() == TaskKind.FASTBINDING;
  }

  /** K: "auto" (-1) is the whole dialog for fast binding, 2 otherwise. */
  int shots(DataConfig data) {
    if (data.shots() >= 0) {
      return data.shots();
    }
    return grouped() ? DemoSampler.ALL : 2;
  }

  /** "auto" is same-group for fast binding, random otherwise. */
  DemoSampler.Strategy strategy(DataConfig data) {
    if (!"auto".equals(data.strategy())) {
      return DemoSampler.Strategy.parse(data.strategy());
    }
    return grouped() ? DemoSampler.Strategy.SAME_GROUP : DemoSampler.Strategy.RANDOM;
  }

  Evaluator.Kind evalKind() {
    return switch (spec.kind()) {
      case CAPTION -> Evaluator.Kind.CAPTION;
      case VQA -> Evaluator.Kind.VQA;
      case FASTBINDING -> Evaluator.Kind.FASTBINDING;
    };
  }
}
