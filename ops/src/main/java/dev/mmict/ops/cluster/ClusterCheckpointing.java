package dev.mmict.ops.cluster;

import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.coordinator.recovery.ResumePoint;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.CheckpointConfig;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.run.TrainCheckpointing;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.LatestValid;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.worker.cluster.ClusterCheckpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint side of {@code mmict train --workers N}: where the coordinator's checkpoints go
 * and, with {@code checkpoint.resume}, the newest valid checkpoint the run continues from, after
 * checking that a cluster run wrote it for this model, this plan shape and this training
 * configuration. Every worker then loads that checkpoint itself ({@code mmict worker
 * --resume-from}), and the coordinator plans from its next step.
 *
 * @param root the checkpoint root ({@code checkpoint.dir}, or {@code <out>/checkpoints})
 * @param every a checkpoint every this many steps (0: only the last step's)
 * @param keep the newest this many are kept
 * @param resumeFrom the checkpoint the run continues from; empty for a run from step 0
 */
public record ClusterCheckpointing(Path root, int every, int keep, Optional<Checkpoint> resumeFrom) {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterCheckpointing.class);

  /**
   * The checkpointing of {@code job}, whose output directory is {@code outDir}; resolves the
   * checkpoint to resume from when the configuration asks for it.
   *
   * @throws CommandFailure a configuration error (exit 3) when the checkpoint belongs to another
   *     model, plan shape, seed or training configuration or to the single-process trainer, or when
   *     a run without resume finds checkpoints of an earlier run; a data error (exit 4) when
   *     checkpoints exist but none is valid; a usage error (exit 2) when the checkpoint is already
   *     past the run's last step (as the single-process trainer refuses it). A checkpoint exactly at
   *     the last step is accepted: {@link #nothingLeft} then tells the caller not to start a cluster.
   */
  public static ClusterCheckpointing of(ClusterJob job, Path outDir) throws IOException {
    CheckpointConfig c = job.config().checkpoint();
    Path root = TrainCheckpointing.root(c, outDir);
    if (c.keepBest() > 0 && c.validationSamples() > 0) {
      LOG.info("checkpoint.keepBest / val_loss apply to single-process training only: a cluster run keeps the newest"
          + " {} checkpoints in {}", c.keep(), root);
    }
    CheckpointStore store = new CheckpointStore(root, RetentionPolicy.lastN(c.keep()));
    if (!c.resume()) {
      if (!store.checkpointDirs().isEmpty()) {
        throw new CommandFailure(ExitCodes.CONFIG_ERROR, root + " already holds checkpoints of an earlier run"
            + " (newest " + store.checkpointDirs().get(store.checkpointDirs().size() - 1).getFileName()
            + "): continue it with --resume, or choose another --out or checkpoint.dir", null);
      }
      return new ClusterCheckpointing(root, c.every(), c.keep(), Optional.empty());
    }
    LatestValid latest = store.latestValid(null);
    if (latest.checkpoint().isEmpty()) {
      if (latest.skipped().isEmpty()) {
        LOG.warn("Nothing to resume in {}: no checkpoint there yet; training from step 0", root);
        return new ClusterCheckpointing(root, c.every(), c.keep(), Optional.empty());
      }
      throw CommandFailure.dataError("cannot resume: no valid checkpoint in " + root + ". " + latest.describe(), null);
    }
    Checkpoint cp = latest.checkpoint().get();
    requireSameRun(cp, job);
    if (cp.step() > job.maxSteps()) {
      throw new CommandFailure(ExitCodes.USAGE_ERROR, "cannot resume from " + cp.dir() + ": it is at step "
          + cp.step() + ", past step " + job.maxSteps() + " where this run ends (--max-steps / --stop-at /"
          + " trainer.steps); stop at " + cp.step() + " or later", null);
    }
    if (cp.step() == job.maxSteps()) {
      LOG.info("{}: it is at step {}, where this run ends: nothing left to train", latest.describe(), cp.step());
    } else {
      LOG.info("{}: the cluster continues at step {} of {}", latest.describe(), cp.step(), job.maxSteps());
    }
    return new ClusterCheckpointing(root, c.every(), c.keep(), Optional.of(cp));
  }

  /**
   * Refuses (configuration error naming the key and both values) a checkpoint that the
   * single-process trainer wrote, or whose model fingerprint, plan shape, seed or training keys
   * ({@link TrainCheckpointing#RESUME_KEYS}) differ from {@code job}'s.
   */
  static void requireSameRun(Checkpoint cp, ClusterJob job) {
    ClusterCheckpoints.Cursor cursor;
    try {
      cursor = ClusterCheckpoints.cursor(cp);
    } catch (CheckpointException e) {
      throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot resume with --workers: " + e.getMessage(), e);
    }
    RunPlan plan = job.plan();
    Map<String, String[]> shape = new LinkedHashMap<>();
    shape.put("seed", new String[] {Long.toString(cursor.seed()), Long.toString(plan.seed())});
    shape.put("trainer.batchSize", new String[] {Integer.toString(cursor.globalBatchSize()),
        Integer.toString(plan.globalBatchSize())});
    shape.put("--micro-batch-size", new String[] {Integer.toString(cursor.microBatchSize()),
        Integer.toString(plan.microBatchSize())});
    shape.put("data.shots", new String[] {Integer.toString(cursor.shots()), Integer.toString(plan.shots())});
    shape.put("data.strategy", new String[] {cursor.strategy(), plan.strategy().name()});
    for (Map.Entry<String, String[]> e : shape.entrySet()) {
      if (!e.getValue()[0].equals(e.getValue()[1])) {
        throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot resume from " + cp.dir() + ": " + e.getKey() + " is "
            + e.getValue()[0] + " in the checkpoint but " + e.getValue()[1] + " now; resume with the configuration"
            + " it was written with", null);
      }
    }
    if (!job.fingerprint().equals(cp.manifest().modelFingerprint())) {
      throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot resume from " + cp.dir() + ": model fingerprint is "
          + cp.manifest().modelFingerprint() + " in the checkpoint but " + job.fingerprint() + " now (another"
          + " backbone, seed or trainer.mode); set model.backbone to the backbone that run started from", null);
    }
    TrainCheckpointing.requireSameTraining(cp, new ConfigLoader().toYaml(job.config()));
  }

  /**
   * True when the checkpoint resumed from is already at {@code job}'s last step: there is nothing
   * to train, and the run's result is that checkpoint (e.g. a sweep trial whose process died right
   * after writing its rung's checkpoint, run again with the same {@code --stop-at}).
   */
  public boolean nothingLeft(ClusterJob job) {
    return resumeFrom.map(c -> c.step() >= job.maxSteps()).orElse(false);
  }

  /** Where the coordinator starts: fresh, or after the checkpoint resumed from. */
  public ResumePoint resumePoint() {
    if (resumeFrom.isEmpty()) {
      return ResumePoint.fresh();
    }
    Checkpoint cp = resumeFrom.get();
    try {
      return ResumePoint.fromCheckpoint(cp.step(), ClusterCheckpoints.cursor(cp).parametersSha256(),
          cp.dir().toString());
    } catch (CheckpointException e) {
      throw new IllegalStateException("checked in of(): " + e.getMessage(), e);
    }
  }

  /** For the run report: the root, and what was resumed. */
  public Map<String, Object> report() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("checkpoint_dir", root.toString());
    out.put("resumed_from", resumeFrom.map(c -> c.dir().toString()).orElse(null));
    resumeFrom.ifPresent(c -> out.put("resumed_step", c.step()));
    return out;
  }
}
