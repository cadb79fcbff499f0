package dev.mmict.ops.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.CheckpointConfig;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.storage.checkpoint.CheckpointState;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.Manifest;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.ValidationLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention keeps the newest {@code checkpoint.keep} checkpoints plus the {@code checkpoint.keepBest}
 * with the lowest {@code val_loss}, which every checkpoint of {@code mmict train} records without
 * changing the training; {@code checkpoints list} marks the best. The report's evaluation row
 * carries the trained parameters' {@code val_loss} too.
 */
class KeepBestCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;

  private static Path backbone;

  @TempDir
  Path dir;

  @BeforeAll
  static void backbone() throws Exception {
    backbone = TinyBackbone.save(shared.resolve("backbone"), 3);
  }

  private static CheckpointConfig config(int keep, int keepBest, int validationSamples) {
    return new CheckpointConfig("", 1, keep, keepBest, validationSamples, false);
  }

  /** A hand-written checkpoint state of {@code step} with {@code val_loss}. */
  private static CheckpointState state(long step, double valLoss) {
    return new CheckpointState(step, 0, JSON.createObjectNode(), JSON.createObjectNode(), JSON.createObjectNode(),
        "seed: 1\n", "fingerprint", Map.of("val_loss", valLoss));
  }

  private static TreeSet<Long> steps(Path root) throws Exception {
    TreeSet<Long> out = new TreeSet<>();
    try (var s = Files.list(root)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
          .forEach(n -> out.add(Long.parseLong(n.substring(5))));
    }
    return out;
  }

  @Test
  void retentionFollowsKeepAndKeepBest() {
    assertEquals(RetentionPolicy.lastAndBest(3, 1, "val_loss", RetentionPolicy.Mode.MIN),
        TrainCheckpointing.retention(CheckpointConfig.defaults(), true));
    assertEquals(RetentionPolicy.lastN(2), TrainCheckpointing.retention(config(2, 0, 32), true),
        "keepBest 0 keeps only the newest");
    assertEquals(RetentionPolicy.lastN(2), TrainCheckpointing.retention(config(2, 1, 0), false),
        "without a validation loss there is no best to keep");
  }

  @Test
  void theBestCheckpointSurvivesWhenOlderThanTheLastN() throws Exception {
    Path root = dir.resolve("checkpoints");
    CheckpointStore store = new CheckpointStore(root, TrainCheckpointing.retention(config(2, 1, 32), true));
    double[] losses = {0.9, 0.3, 0.6, 0.5, 0.7, 0.4};
    List<TreeSet<Long>> after = new ArrayList<>();
    for (int i = 0; i < losses.length; i++) {
      long step = 10L * (i + 1);
      store.write(state(step, losses[i]), Map.of("model.safetensors", f -> Files.write(f, new byte[] {1})));
      after.add(steps(root));
    }
    // Step 20 (0.3) becomes the best as soon as it is written and stays kept behind the newest two.
    assertEquals(new TreeSet<>(List.of(10L, 20L)), after.get(1));
    assertEquals(new TreeSet<>(List.of(20L, 30L, 40L)), after.get(3));
    assertEquals(new TreeSet<>(List.of(20L, 50L, 60L)), after.get(5));

    Result list = Cli.run("checkpoints", "list", root.toString());
    assertEquals(ExitCodes.OK, list.code(), list.err());
    List<String> marked = list.out().lines().filter(l -> l.contains("<- best val_loss")).toList();
    assertEquals(1, marked.size(), list.out());
    assertTrue(marked.get(0).startsWith("20 ") && marked.get(0).contains("val_loss=0.300000"), list.out());
    Result max = Cli.run("checkpoints", "list", "--best-by", "val_loss", "--best-mode", "max", root.toString());
    assertTrue(max.out().lines().anyMatch(l -> l.startsWith("50 ") && l.endsWith("<- best val_loss")), max.out());
    Result bad = Cli.run("checkpoints", "list", "--best-mode", "lowest", root.toString());
    assertEquals(ExitCodes.USAGE_ERROR, bad.code());
    assertTrue(bad.err().contains("--best-mode") && bad.err().contains("lowest"), bad.err());
  }

  private Result train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--workers", "0", "--out", out.toString(),
        "--report", out.resolve("report.json").toString(),
        "--set", "model.backbone=" + backbone, "--set", "model.maxTextTokens=16", "--set", "data.task=shapes-caption",
        "--set", "trainer.steps=6", "--set", "trainer.warmupSteps=1", "--set", "trainer.batchSize=2",
        "--set", "trainer.lr=" + LR, "--set", "eval.samples=2", "--set", "eval.batchSize=2",
        "--set", "eval.maxNewTokens=2", "--set", "checkpoint.every=1", "--set", "checkpoint.validationSamples=4"));
    args.addAll(List.of(extra));
    return Cli.run(args);
  }

  /**
   * With this learning rate the tiny run's validation loss is lowest at step 5 and a little higher
   * after step 6, so the best checkpoint is not the newest one.
   */
  private static final String LR = "1e-1";

  private static Map<Long, Double> valLosses(Path root) throws Exception {
    Map<Long, Double> out = new TreeMap<>();
    for (long step : steps(root)) {
      Path manifest = root.resolve(String.format("step-%08d", step)).resolve("manifest.json");
      JsonNode m = JSON.readTree(manifest.toFile());
      out.put(step, m.get("metrics").get("val_loss").asDouble(Double.NaN));
    }
    return out;
  }

  private static byte[] weights(Path run) throws Exception {
    return Files.readAllBytes(run.resolve("model").resolve(ModelStore.WEIGHTS));
  }

  @Test
  void trainRecordsTheValidationLossAndKeepsTheLastNAndTheBest() throws Exception {
    Path all = dir.resolve("all");
    Result everything = train(all, "--set", "checkpoint.keep=100", "--set", "checkpoint.keepBest=0");
    assertEquals(ExitCodes.OK, everything.code(), everything.err());
    Map<Long, Double> losses = valLosses(all.resolve("checkpoints"));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), List.copyOf(losses.keySet()));
    losses.forEach((step, loss) -> assertTrue(Double.isFinite(loss) && loss > 0, "val_loss of step " + step
        + ": " + loss));
    long best = losses.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
    assertTrue(best < 6, "the run is set up so that the best checkpoint is not the newest: " + losses);

    Path kept = dir.resolve("kept");
    Result keep = train(kept, "--set", "checkpoint.keep=1", "--set", "checkpoint.keepBest=1");
    assertEquals(ExitCodes.OK, keep.code(), keep.err());
    assertEquals(new TreeSet<>(List.of(best, 6L)), steps(kept.resolve("checkpoints")),
        "the newest and the best by val_loss in " + losses);
    assertEquals(losses.get(best), valLosses(kept.resolve("checkpoints")).get(best),
        "the validation loss is a function of the parameters alone");
    assertEquals(losses.get(6L), JSON.readTree(kept.resolve("report.json").toFile()).get("last_val_loss").asDouble());
    assertArrayEquals(weights(all), weights(kept));

    Path none = dir.resolve("none");
    Result unvalidated = train(none, "--set", "checkpoint.keep=2", "--set", "checkpoint.validationSamples=0");
    assertEquals(ExitCodes.OK, unvalidated.code(), unvalidated.err());
    assertEquals(new TreeSet<>(List.of(5L, 6L)), steps(none.resolve("checkpoints")));
    Manifest last = dev.mmict.storage.checkpoint.CheckpointVerifier
        .verify(none.resolve("checkpoints").resolve("step-00000006"), null).requireValid().manifest();
    assertFalse(last.metrics().containsKey("val_loss"));
    assertArrayEquals(weights(all), weights(none), "computing the validation loss does not change the training");

    // Every run's report row carries the val_loss of its trained parameters, whatever the checkpoints
    // compute: the same value for the same training, bit for bit.
    double reported = rowValLoss(all);
    assertEquals(Double.doubleToLongBits(reported), Double.doubleToLongBits(rowValLoss(kept)));
    assertEquals(Double.doubleToLongBits(reported), Double.doubleToLongBits(rowValLoss(none)),
        "checkpoint.validationSamples=0 does not take it out of the report");
    // It is the validation loss of the saved model on eval.samples (2) validation queries in batches of
    // eval.batchSize (2), with the run's mode, shots, strategy and seed; lower than the backbone's.
    double trained = validationLoss(all.resolve("model"), 2, 2);
    assertEquals(Double.doubleToLongBits(trained), Double.doubleToLongBits(reported),
        "report " + reported + ", recomputed " + trained);
    double initial = validationLoss(backbone, 2, 2);
    assertTrue(reported < initial, "training lowers the validation loss: " + initial + " -> " + reported);
  }

  /** {@code val_loss} of the single evaluation row of a {@code train} report. */
  private static double rowValLoss(Path run) throws Exception {
    JsonNode results = JSON.readTree(run.resolve("report.json").toFile()).get("results");
    assertEquals(1, results.size(), results.toString());
    JsonNode value = results.get(0).get("metrics").get("val_loss");
    assertTrue(value != null && value.isNumber(), "a val_loss beside the generation metrics: " + results);
    assertTrue(results.get(0).get("metrics").has("CIDEr"), results.toString());
    return value.asDouble();
  }

  /** {@link ValidationLoss} of the model saved at {@code dir}, as a default shapes-caption train run sets it up. */
  private static double validationLoss(Path dir, int samples, int batchSize) throws Exception {
    RunConfig defaults = RunConfig.defaults();
    try (NDManager manager = NDManager.newBaseManager(); TaskHandle task = TaskHandle.open("shapes-caption")) {
      ModelStore.Loaded loaded = ModelStore.load(dir, manager, defaults.seed());
      try (MmictModel model = loaded.model()) {
        TaskMix source = new TaskMix(task.dataset(), 1, List.of(Mode.parse(defaults.trainer().mode())),
            task.shots(defaults.data()), task.strategy(defaults.data()));
        return ValidationLoss.of(model, new DialogBuilder(loaded.tokenizer(), 16), source, samples, batchSize,
            defaults.seed()).orElseThrow().compute(manager);
      }
    }
  }
}
