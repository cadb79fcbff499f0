package dev.mmict.ops.run;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.CheckpointConfig;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.LatestValid;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.worker.cluster.ClusterCheckpoints;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.PeriodicCheckpoints;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.TrainCheckpoints;
import dev.mmict.worker.train.TrainLoop;
import dev.mmict.worker.train.ValidationLoss;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint side of {@code mmict train}: where checkpoints go, the hook that writes them
 * with each one's validation loss, which of them retention keeps, and, with
 * {@code checkpoint.resume}, the newest valid checkpoint to continue from after checking that it
 * belongs to this model and this training configuration.
 */
public final class TrainCheckpointing {
  private static final Logger LOG = LoggerFactory.getLogger(TrainCheckpointing.class);

  /**
   * The resolved keys a resumed run must share with its checkpoint: everything that decides
   * which batches are drawn and how the parameters move. (The model itself is checked through
   * its fingerprint; {@code model.backbone} may move as long as the backbone is the same.)
   */
  public static final List<String> RESUME_KEYS = List.of("seed", "data.task", "data.shots", "data.strategy",
      "trainer.mode", "trainer.steps", "trainer.batchSize", "trainer.lr", "trainer.warmupSteps",
      "trainer.weightDecay", "trainer.gradClip", "model.maxTextTokens", "model.vgtPadded");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final RunConfig config;
  private final Path root;
  private final Map<String, Object> report = new LinkedHashMap<>();
  private PeriodicCheckpoints writer;

  /** Nothing is read or written until {@link #start}. */
  TrainCheckpointing(RunConfig config, Path outDir) {
    this.config = config;
    this.root = root(config.checkpoint(), outDir);
  }

  /** {@code checkpoint.dir}, or {@code <out>/checkpoints} when it is empty. */
  public static Path root(CheckpointConfig c, Path outDir) {
    return c.dir().isBlank() ? outDir.resolve("checkpoints") : Path.of(c.dir());
  }

  /**
   * Where the loop starts and what it calls after each step.
   *
   * @param resume null for a run from step 0
   * @param hook writes the checkpoints
   */
  record Start(TrainLoop.Resume resume, TrainLoop.StateHook hook) { }

  /**
   * Prepares checkpointing for {@code model} (trainable set already) on {@code sources}, for a
   * run told to stop after {@code stopAt} steps (a checkpoint is also written at that step, so the
   * run can be resumed from there); with {@code checkpoint.resume}, restores the model's trainable
   * parameters from the newest valid checkpoint and returns the loop and optimizer state to
   * continue from. With {@code checkpoint.validationSamples > 0} every checkpoint records its
   * {@value ValidationLoss#METRIC} on the first source's validation split, built by {@code builder}.
   *
   * @throws CommandFailure a configuration error when the checkpoint disagrees with this run, a
   *     data error when no checkpoint can be used
   */
  Start start(MmictModel model, List<TaskMix> sources, DialogBuilder builder, NDManager manager, int stopAt)
      throws IOException {
    CheckpointConfig c = config.checkpoint();
    Optional<ValidationLoss> validation = ValidationLoss.of(model, builder, sources.get(0), c.validationSamples(),
        config.trainer().batchSize(), config.seed());
    RetentionPolicy retention = retention(c, validation.isPresent());
    CheckpointStore store = new CheckpointStore(root, retention);
    LOG.info("Checkpoints in {}: every {} steps, retention keeps {}{}", root, c.every(), retention.describe(),
        validation.map(v -> "; each records its " + v).orElse(""));
    String fingerprint = TrainCheckpoints.fingerprint(model);
    String yaml = new ConfigLoader().toYaml(config);
    report.put("checkpoint_dir", root.toString());
    TrainLoop.Resume resume = null;
    if (c.resume()) {
      resume = resume(store, model, sources, manager, fingerprint, yaml);
    } else if (!store.checkpointDirs().isEmpty()) {
      throw new CommandFailure(ExitCodes.CONFIG_ERROR, root + " already holds checkpoints of an earlier run (newest "
          + store.checkpointDirs().get(store.checkpointDirs().size() - 1).getFileName()
          + "): continue it with --resume, or choose another --out or checkpoint.dir", null);
    }
    writer = new PeriodicCheckpoints(store, model, c.every(), sources, config.seed(), yaml, fingerprint)
        .alsoAt(stopAt);
    validation.ifPresent(v -> writer.withMetrics(() -> validate(v, manager)));
    return new Start(resume, writer);
  }

  /**
   * What retention keeps: the newest {@code checkpoint.keep}, plus the {@code checkpoint.keepBest}
   * with the lowest validation loss when one is computed ({@code validating}).
   */
  static RetentionPolicy retention(CheckpointConfig c, boolean validating) {
    if (c.keepBest() == 0 || !validating) {
      return RetentionPolicy.lastN(c.keep());
    }
    return RetentionPolicy.lastAndBest(c.keep(), c.keepBest(), ValidationLoss.METRIC, RetentionPolicy.Mode.MIN);
  }

  /** The validation loss now, logged and kept for the report. */
  private Map<String, Double> validate(ValidationLoss validation, NDManager manager) {
    long start = System.nanoTime();
    double loss = validation.compute(manager);
    LOG.info("{}: {} ({} ms)", validation, String.format(java.util.Locale.ROOT, "%.6f", loss),
        (System.nanoTime() - start) / 1_000_000);
    report.put("last_val_loss", Double.isFinite(loss) ? loss : null); // JSON has no NaN
    return Map.of(ValidationLoss.METRIC, loss);
  }

  private TrainLoop.Resume resume(CheckpointStore store, MmictModel model, List<TaskMix> sources, NDManager manager,
      String fingerprint, String yaml) throws IOException {
    LatestValid latest = store.latestValid(null);
    if (latest.checkpoint().isEmpty()) {
      if (latest.skipped().isEmpty()) {
        LOG.warn("Nothing to resume in {}: no checkpoint there yet; training from step 0", root);
        report.put("resumed_from", null);
        return null;
      }
      throw CommandFailure.dataError("cannot resume: no valid checkpoint in " + root + ". " + latest.describe(), null);
    }
    Checkpoint cp = latest.checkpoint().get();
    if (ClusterCheckpoints.isCluster(cp.manifest())) {
      throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot resume from " + cp.dir() + ": it was written by a"
          + " cluster run (mmict train --workers N), whose checkpoints record the coordinator's plan, not this"
          + " trainer's loop state; resume it with --workers", null);
    }
    requireSameTraining(cp, yaml);
    if (!fingerprint.equals(cp.manifest().modelFingerprint())) {
      throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot resume from " + cp.dir() + ": it belongs to another"
          + " model (fingerprint " + cp.manifest().modelFingerprint() + ", this model " + fingerprint + "); set"
          + " model.backbone to the backbone that run started from", null);
    }
    TrainLoop.Resume resume;
    try {
      resume = TrainCheckpoints.restore(cp, model, manager, sources, config.seed());
    } catch (CheckpointException e) {
      throw CommandFailure.dataError("cannot resume: " + e.getMessage(), e);
    }
    LOG.info("{}: continuing at step {} of {} (epoch {})", latest.describe(), cp.step(),
        config.trainer().steps(), cp.manifest().epoch());
    report.put("resumed_from", cp.dir().toString());
    report.put("resumed_step", cp.step());
    if (latest.fellBack()) {
      report.put("skipped_checkpoints", latest.skipped().stream().map(s -> s.dir().getFileName().toString()).toList());
    }
    return resume;
  }

  /** Refuses a checkpoint whose resolved config differs in any {@link #RESUME_KEYS} key, naming it. */
  public static void requireSameTraining(Checkpoint cp, String yaml) {
    JsonNode saved = readYaml(cp.manifest().config(), cp);
    JsonNode now = readYaml(yaml, cp);
    for (String key : RESUME_KEYS) {
      String pointer = "/" + key.replace('.', '/');
      JsonNode a = saved.at(pointer);
      JsonNode b = now.at(pointer);
      if (!a.toString().equals(b.toString())) {
        throw new CommandFailure(ExitCodes.CONFIG_ERROR, "cannot resume from " + cp.dir() + ": " + key + " is "
            + (a.isMissingNode() ? "absent" : a.asText()) + " in the checkpoint but " + b.asText()
            + " now; resume with the configuration it was written with", null);
      }
    }
  }

  private static JsonNode readYaml(String text, Checkpoint cp) {
    try {
      return YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw CommandFailure.dataError("cannot resume from " + cp.dir() + ": its manifest's config is not YAML: "
          + e.getOriginalMessage(), e);
    }
  }

  /** Records how many steps this invocation ran (all of them, or those after the resumed step). */
  void ran(int steps) {
    report.put("steps_run", steps);
  }

  /** For the run report: the checkpoint root, what was resumed, the last checkpoint written. */
  Map<String, Object> report() {
    Map<String, Object> out = new LinkedHashMap<>(report);
    if (writer != null) {
      writer.last().ifPresent(c -> out.put("last_checkpoint", c.dir().toString()));
    }
    return out;
  }
}
