package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.hub.io.SafetensorsFile;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written by the loop restore a run exactly: stopping and resuming changes no bit. */
class TrainCheckpointsTest {
  private static final String CONFIG = "trainer:\n  steps: 6\n";
  /** Two sources, so the schedule, two cursors and mode cycling all have to be restored. */
  private static Dataset caption;
  private static Dataset vqa;
  private static WordTokenizer tok;

  @TempDir
  Path dir;

  /** Thrown by a hook to stop the run as a killed process would, right after a checkpoint. */
  private static final class Killed extends RuntimeException {
    Killed() {
      super("killed after the checkpoint");
    }
  }

  @BeforeAll
  static void data() {
    caption = Datasets.open("shapes-caption");
    vqa = Datasets.open("shapes-vqa");
    tok = TrainLoopTest.tokenizer(caption, vqa);
  }

  private static List<TaskMix> sources() {
    return List.of(new TaskMix(caption, 2, List.of(Mode.MMICT, Mode.VANILLA_ICT), 2, DemoSampler.Strategy.RANDOM),
        new TaskMix(vqa, 1, List.of(Mode.MMICT), 1, DemoSampler.Strategy.RANDOM));
  }

  private static TrainSettings settings(long seed) {
    return new TrainSettings(6, 2, 2e-3, 2, 0.05, seed, 0, 1.0, false);
  }

  private static MmictModel model(NDManager m) {
    MmictModel model = TrainLoopTest.tinyModel(m, tok);
    model.setTrainable(MmictModel.FINETUNED);
    return model;
  }

  private static Map<String, float[]> values(MmictModel model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Params.Param p : model.params().all().values()) {
      out.put(p.name(), p.value().toFloatArray());
    }
    return out;
  }

  private static Map<String, float[]> tensors(Path file) throws Exception {
    SafetensorsFile f = Safetensors.read(file);
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String n : f.names()) {
      out.put(n, f.floats(n));
    }
    return out;
  }

  private static void assertBitwiseEqual(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what + ": tensor names");
    expected.forEach((k, v) -> {
      float[] a = actual.get(k);
      assertEquals(v.length, a.length, what + " " + k);
      for (int i = 0; i < v.length; i++) {
        // Compare bits, not values: -0.0 vs 0.0 or a different NaN would be a real difference.
        if (Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(a[i])) {
          throw new AssertionError(what + " " + k + "[" + i + "]: " + v[i] + " vs " + a[i]);
        }
      }
    });
  }

  @Test
  void stoppingAndResumingGivesBitwiseTheSameParametersAndMoments() throws Exception {
    Path straightDir = dir.resolve("straight");
    Path stoppedDir = dir.resolve("stopped");
    Map<String, float[]> straight;
    String fingerprint;
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = model(m)) {
      fingerprint = TrainCheckpoints.fingerprint(model);
      CheckpointStore store = new CheckpointStore(straightDir, RetentionPolicy.keepAll());
      List<TrainingStep.Result> r = new TrainLoop(model, new DialogBuilder(tok, 16)).run(m, sources(), settings(5),
          StepListener.NONE, null, new PeriodicCheckpoints(store, model, 3, sources(), 5, CONFIG, fingerprint));
      assertEquals(6, r.size());
      straight = values(model);
    }

    // First process: 3 steps of the same 6-step run, a checkpoint, then it dies.
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = model(m)) {
      CheckpointStore store = new CheckpointStore(stoppedDir, RetentionPolicy.keepAll());
      PeriodicCheckpoints writer = new PeriodicCheckpoints(store, model, 3, sources(), 5, CONFIG,
          TrainCheckpoints.fingerprint(model));
      TrainLoop.StateHook killAfterCheckpoint = (state, total, opt) -> {
        writer.afterStep(state, total, opt);
        if (state.nextStep() == 3) {
          throw new Killed();
        }
      };
      assertThrows(Killed.class, () -> new TrainLoop(model, new DialogBuilder(tok, 16)).run(m, sources(),
          settings(5), StepListener.NONE, null, killAfterCheckpoint));
    }

    // Second process: fresh objects, everything trainable comes from the checkpoint.
    Map<String, float[]> resumed;
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = model(m)) {
      assertEquals(fingerprint, TrainCheckpoints.fingerprint(model), "the fingerprint ignores trainable values");
      CheckpointStore store = new CheckpointStore(stoppedDir, RetentionPolicy.keepAll());
      Checkpoint cp = store.latestValid(fingerprint).checkpoint().orElseThrow();
      assertEquals(3, cp.step());
      TrainLoop.Resume resume = TrainCheckpoints.restore(cp, model, m, sources(), 5);
      assertEquals(3, resume.loop().nextStep());
      assertEquals(2, resume.loop().sources().size());
      assertEquals(3, resume.optimizerStep());
      List<TrainingStep.Result> r = new TrainLoop(model, new DialogBuilder(tok, 16)).run(m, sources(), settings(5),
          StepListener.NONE, resume, new PeriodicCheckpoints(store, model, 3, sources(), 5, CONFIG, fingerprint));
      assertEquals(3, r.size(), "only the remaining steps run");
      resumed = values(model);
    }

    assertBitwiseEqual(straight, resumed, "parameter");
    Path a = straightDir.resolve("step-00000006");
    Path b = stoppedDir.resolve("step-00000006");
    assertBitwiseEqual(tensors(a.resolve(TrainCheckpoints.OPTIMIZER)), tensors(b.resolve(TrainCheckpoints.OPTIMIZER)),
        "AdamW moment");
    assertBitwiseEqual(tensors(a.resolve(TrainCheckpoints.PARAMETERS)),
        tensors(b.resolve(TrainCheckpoints.PARAMETERS)), "saved parameter");
    assertEquals("6", Safetensors.read(b.resolve(TrainCheckpoints.OPTIMIZER)).metadata()
        .get(TrainCheckpoints.OPTIMIZER_STEP));
    // Not vacuous: the last three steps did move the trainable parameters and moments.
    Map<String, float[]> at3 = tensors(stoppedDir.resolve("step-00000003").resolve(TrainCheckpoints.OPTIMIZER));
    assertFalse(java.util.Arrays.equals(at3.get("opt_proj.weight.exp_avg"),
        tensors(b.resolve(TrainCheckpoints.OPTIMIZER)).get("opt_proj.weight.exp_avg")));
    assertTrue(tensors(b.resolve(TrainCheckpoints.PARAMETERS)).keySet().stream()
        .allMatch(MmictModel.FINETUNED::test), "only trainable parameters are saved");
  }

  @Test
  void aCheckpointOfAnotherSeedOrSourceIsRefused() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, RetentionPolicy.lastN(2));
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = model(m)) {
      new TrainLoop(model, new DialogBuilder(tok, 16)).run(m, sources(),
          new TrainSettings(1, 2, 1e-3, 0, 0.0, 5, 0, 1.0, false), StepListener.NONE, null,
          new PeriodicCheckpoints(store, model, 0, sources(), 5, CONFIG, TrainCheckpoints.fingerprint(model)));
      Checkpoint cp = store.latestValid(null).checkpoint().orElseThrow();
      CheckpointException seed = assertThrows(CheckpointException.class,
          () -> TrainCheckpoints.restore(cp, model, m, sources(), 6));
      assertTrue(seed.getMessage().contains("rng_states"), seed.getMessage());
      List<TaskMix> other = List.of(sources().get(1), sources().get(0));
      CheckpointException src = assertThrows(CheckpointException.class,
          () -> TrainCheckpoints.restore(cp, model, m, other, 5));
      assertTrue(src.getMessage().contains("sampler_state"), src.getMessage());
    }
  }

  @Test
  void theLoopStateSurvivesItsJsonForm() {
    LoopState s = new LoopState(7, List.of(new LoopState.SourceCursor("a", 2, 5, 41, 4),
        new LoopState.SourceCursor("b", -1, 0, 0, 0)), 1);
    assertEquals(s, LoopState.fromJson(s.toJson()));
    assertEquals(2, s.epoch());
    var broken = s.toJson();
    broken.remove("next_step");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoopState.fromJson(broken));
    assertTrue(e.getMessage().contains("next_step"), e.getMessage());
  }
}
