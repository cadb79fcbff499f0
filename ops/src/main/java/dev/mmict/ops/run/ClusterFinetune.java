package dev.mmict.ops.run;

import dev.mmict.coordinator.cluster.RunListener;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.ops.cli.ClusterRequest;
import dev.mmict.ops.cli.RunRequest;
import dev.mmict.ops.cluster.ClusterJob;
import dev.mmict.ops.cluster.ClusterTraining;
import dev.mmict.ops.cluster.EmbeddedCluster;
import dev.mmict.worker.train.TrainingStep;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongToDoubleFunction;

/**
 * One fine-tuning on an embedded local cluster, shown on the command's progress display and
 * metrics like a single-process loop: every committed step is one step of the display.
 */
final class ClusterFinetune {

  /**
   * What the run left.
   *
   * @param result the cluster run (summary, audit, worker logs, checkpoints)
   * @param finalState the file holding the final trainable parameters every replica agreed on
   * @param steps one result per committed step, for loss curves (loss and queries only)
   * @param seconds wall time of the run, start-up included
   */
  record Outcome(EmbeddedCluster.Result result, Path finalState, List<TrainingStep.Result> steps, double seconds) {
    RunSummary summary() {
      return result.summary();
    }
  }

  private ClusterFinetune() { }

  /**
   * Trains {@code request} (its {@code <out>/config.yaml} already written) on a local cluster as
   * {@code cluster} says; a run that fails is a cluster error (exit 5).
   */
  static Outcome run(RunRequest request, ClusterRequest cluster, PrintWriter out, RunSession session, String label)
      throws IOException, InterruptedException {
    ClusterJob job = ClusterJob.of(request.config(), cluster.maxSteps(), cluster.microBatchSize());
    int total = Math.toIntExact(job.maxSteps());
    LongToDoubleFunction lr = job.learningRate();
    long start = System.nanoTime();
    EmbeddedCluster.Result result;
    try (RunSession.Training training = session.training(label)) {
      // Called on the coordinator actor's thread, after the commit is durable.
      RunListener shown = new RunListener() {
        @Override
        public void stepCommitted(long step, double loss, long samples, Duration wallTime, int liveWorkers) {
          training.onStep(Math.toIntExact(step), total, lr.applyAsDouble(step),
              new TrainingStep.Result(loss, loss, 0, Math.toIntExact(samples), 0, Double.NaN, false));
        }
      };
      result = ClusterTraining.run(request, job, cluster, out, shown);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<TrainingStep.Result> steps = result.summary().losses().stream()
        .map(l -> new TrainingStep.Result(l, l, 0, job.plan().globalBatchSize(), 0, Double.NaN, false))
        .toList();
    return new Outcome(result, ClusterTraining.finalState(result), steps, seconds);
  }
}
