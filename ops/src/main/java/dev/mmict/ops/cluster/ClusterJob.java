package dev.mmict.ops.cluster;

import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.optim.LrSchedule;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import dev.mmict.worker.cluster.ModelFingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongToDoubleFunction;

/**
 * One cluster training run derived from a run configuration: the task and its dataset, the
 * mode, the step plan's shape (independent of the number of workers), the learning-rate
 * schedule and the model fingerprint every worker must match. The coordinator and every worker
 * derive it from the same resolved configuration file.
 *
 * @param maxSteps steps to train
 * @param microBatchSize queries per micro-batch (divides the batch size)
 */
public record ClusterJob(RunConfig config, TaskSpec task, Dataset dataset, Mode mode, RunPlan plan, long maxSteps,
    Path backbone, String fingerprint) {

  /** Resolves the job; a missing task or backbone is a data error. */
  public static ClusterJob of(RunConfig config, Integer maxStepsOverride, Integer microBatchOverride) {
    TaskSpec task;
    Dataset dataset;
    try {
      task = Tasks.load(config.data().task());
      dataset = Datasets.open(task);
    } catch (RuntimeException e) {
      throw CommandFailure.dataError("task '" + config.data().task() + "': " + e.getMessage(), e);
    }
    Mode mode = Mode.parse(config.trainer().mode());
    boolean grouped = task.kind() == TaskKind.FASTBINDING;
    int shots = mode == Mode.VANILLA_FT ? 0
        : config.data().shots() >= 0 ? config.data().shots() : grouped ? DemoSampler.ALL : 2;
    DemoSampler.Strategy strategy = !"auto".equals(config.data().strategy())
        ? DemoSampler.Strategy.parse(config.data().strategy())
        : grouped ? DemoSampler.Strategy.SAME_GROUP : DemoSampler.Strategy.RANDOM;
    int batch = config.trainer().batchSize();
    int micro = microBatchOverride != null ? microBatchOverride : defaultMicroBatch(batch);
    if (micro < 1 || batch % micro != 0) {
      throw CommandFailure.clusterError("micro-batch size " + micro + " must be positive and divide trainer.batchSize "
          + batch, null);
    }
    long maxSteps = maxStepsOverride != null ? maxStepsOverride : config.trainer().steps();
    Path backbone = Path.of(config.model().backbone());
    if (!Files.isDirectory(backbone)) {
      throw CommandFailure.dataError("no backbone at " + backbone.toAbsolutePath()
          + " (create one with ./mmict pretrain, or set model.backbone)", null);
    }
    String fingerprint;
    try {
      fingerprint = ModelFingerprint.of(backbone, config.seed(), mode.label());
    } catch (IOException e) {
      throw CommandFailure.dataError("cannot read the backbone at " + backbone + ": " + e.getMessage(), e);
    }
    return new ClusterJob(config, task, dataset, mode, new RunPlan(config.seed(), batch, micro, shots, strategy),
        maxSteps, backbone, fingerprint);
  }

  /** The run's id in logs and metrics: the task's name and the seed, e.g. {@code shapes-caption-42}. */
  public String runId() {
    return task.name() + "-" + config.seed();
  }

  /** The largest divisor of the batch size that is at most 4. */
  static int defaultMicroBatch(int batch) {
    for (int m = Math.min(4, batch); m > 1; m--) {
      if (batch % m == 0) {
        return m;
      }
    }
    return 1;
  }

  /** The learning rate of each step: warm-up then cosine decay over {@code trainer.steps}, as the local trainer. */
  public LongToDoubleFunction learningRate() {
    var t = config.trainer();
    LrSchedule schedule = new LrSchedule(t.lr(), 0, 0, t.warmupSteps(), Math.max(t.steps(), (int) maxSteps));
    return step -> schedule.at(Math.toIntExact(step));
  }
}
