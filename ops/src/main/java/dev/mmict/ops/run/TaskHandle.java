package dev.mmict.ops.run;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.config.DataConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import dev.mmict.worker.train.Evaluator;

/**
 * An opened task: its definition, its dataset, and how its demonstrations and metrics follow
 * from its kind.
 */
record TaskHandle(String name, TaskSpec spec, Dataset dataset) {

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
