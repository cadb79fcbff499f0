package dev.mmict.worker.train;

import dev.mmict.worker.GarbageCollectorHammer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.generation.GenerationConfig;
import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.model.MmictConfig;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Trains a very small model for a few steps on real built-in data, through the real loop. Its
 * tokenizer and model are the worker tests' shared fixture.
 */
public class TrainLoopTest {

  /** A word tokenizer over the first 200 training samples of each dataset. */
  public static WordTokenizer tokenizer(Dataset... datasets) {
    WordTokenizer.Builder b = WordTokenizer.builder();
    for (Dataset d : datasets) {
      for (int i = 0; i < 200; i++) {
        Sample s = d.get(Dataset.TRAIN, i);
        b.addText(s.text()).addText(s.prompt()).addText(s.target());
      }
    }
    return b.build();
  }

  /** A randomly initialised model a few thousand parameters small (seed 3), every parameter trainable. */
  public static MmictModel tinyModel(NDManager m, WordTokenizer tok) {
    int v = tok.vocabSize();
    MmictConfig cfg = new MmictConfig(new VitConfig(32, 8, 3, 32, 1, 2, 2.0, 1e-6),
        new MHubConfig(32, 2, 1, 64, 1, 32, 4, v, 64, 1e-12),
        new OptConfig(32, 2, 1, 64, v, 256, 1e-5, tok.padId()), false);
    return new MmictModel(m, cfg, 3, tok.padId());
  }

  @Test
  void trainingLowersTheLoss() {
    Dataset caption = Datasets.open("shapes-caption");
    WordTokenizer tok = tokenizer(caption);
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tinyModel(m, tok)) {
      List<TrainingStep.Result> results = new TrainLoop(model, new DialogBuilder(tok, 16)).run(m,
          List.of(new TaskMix(caption, 1, List.of(Mode.MMICT), 2, DemoSampler.Strategy.RANDOM)),
          new TrainSettings(30, 8, 3e-3, 3, 0.0, 1, 0, 1.0, false), StepListener.NONE);
      assertEquals(30, results.size());
      double first = results.subList(0, 5).stream().mapToDouble(TrainingStep.Result::loss).average().orElseThrow();
      double last = results.subList(25, 30).stream().mapToDouble(TrainingStep.Result::loss).average().orElseThrow();
      assertTrue(last < first - 0.5, "loss should fall: first " + first + ", last " + last);
    }
  }

  @Test
  void fineTuningTouchesOnlyTheTrainableParameters() {
    Dataset caption = Datasets.open("shapes-caption");
    WordTokenizer tok = tokenizer(caption);
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tinyModel(m, tok)) {
      model.setTrainable(MmictModel.FINETUNED);
      Map<String, float[]> before = new HashMap<>();
      model.params().all().forEach((k, p) -> before.put(k, p.value().toFloatArray()));
      new TrainLoop(model, new DialogBuilder(tok, 16)).run(m,
          List.of(new TaskMix(caption, 1, List.of(Mode.MMICT), 2, DemoSampler.Strategy.RANDOM)),
          new TrainSettings(3, 4, 1e-3, 0, 0.0, 1, 0, 0, false), StepListener.NONE);
      int trainable = 0;
      for (Params.Param p : model.params().all().values()) {
        boolean changed = !java.util.Arrays.equals(before.get(p.name()), p.value().toFloatArray());
        if (MmictModel.FINETUNED.test(p.name())) {
          trainable++;
          // Embedding tables only move where a token or position was used, but they do move.
          assertTrue(changed, p.name() + " is trainable but did not change");
        } else {
          assertFalse(changed, p.name() + " is frozen but changed");
        }
      }
      assertTrue(trainable > 10);
      assertTrue(model.cachedVisuals() > 0, "a frozen encoder's features are cached");
    }
  }

  @Test
  void videoClipsTrainThroughTheSamePath() {
    Dataset video = Datasets.open("shapes-video-caption");
    assertEquals(4, video.get(Dataset.TRAIN, 0).frames().size());
    WordTokenizer tok = tokenizer(video);
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tinyModel(m, tok)) {
      model.setTrainable(MmictModel.FINETUNED);
      List<TrainingStep.Result> r = new TrainLoop(model, new DialogBuilder(tok, 16)).run(m,
          List.of(new TaskMix(video, 1, List.of(Mode.MMICT, Mode.VANILLA_ICT, Mode.VANILLA_FT), 1,
              DemoSampler.Strategy.RANDOM)),
          new TrainSettings(3, 2, 1e-3, 0, 0.0, 1, 0, 1.0, false), StepListener.NONE);
      for (TrainingStep.Result x : r) {
        assertTrue(Double.isFinite(x.loss()) && x.loss() > 0);
        assertTrue(x.gradNorm() > 0);
      }
    }
  }

  /**
   * Pretraining's whole graph (every parameter, the dialog contrastive loss) gives the same run
   * twice, and a third time with the garbage collector running flat out on another thread: no
   * constant the backward pass reads may live in a Java buffer the collector can free.
   */
  @Test
  void sameSeedGivesTheSameRunAndTheSameParametersEvenUnderGarbageCollection() throws Exception {
    Dataset binding = Datasets.open("shapes-pretrain-binding");
    WordTokenizer tok = tokenizer(binding);
    float[][] finals = new float[3][];
    double[][] losses = new double[3][];
    for (int run = 0; run < 3; run++) {
      try (NDManager m = NDManager.newBaseManager(); MmictModel model = tinyModel(m, tok);
          GarbageCollectorHammer hammer = run == 2 ? GarbageCollectorHammer.start() : null) {
        List<TrainingStep.Result> r = new TrainLoop(model, new DialogBuilder(tok, 16)).run(m,
            List.of(new TaskMix(binding, 1, List.of(Mode.MMICT, Mode.VANILLA_ICT), DemoSampler.ALL,
                DemoSampler.Strategy.SAME_GROUP)),
            new TrainSettings(4, 4, 1e-3, 1, 0.05, 9, 0.5, 1.0, false), StepListener.NONE);
        losses[run] = r.stream().mapToDouble(TrainingStep.Result::loss).toArray();
        finals[run] = model.params().get("opt_proj.weight").toFloatArray();
        assertTrue(r.get(0).contrastLoss() > 0, "MMICT batches of binding dialogs carry the contrastive loss");
        assertEquals(0, r.get(1).contrastLoss(), "VanillaICT batches do not");
      }
    }
    assertArrayEquals(losses[0], losses[1]);
    assertArrayEquals(finals[0], finals[1]);
    assertArrayEquals(losses[0], losses[2], "under garbage collection");
    assertArrayEquals(finals[0], finals[2], "under garbage collection");
  }

  @Test
  void evaluatorGeneratesForEveryQueryAndReportsBindingMetrics() {
    Dataset binding = Datasets.open("shapes-fastbinding");
    WordTokenizer tok = tokenizer(binding);
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tinyModel(m, tok)) {
      model.setTrainable(n -> false);
      Evaluator.Report r = new Evaluator(model, new DialogBuilder(tok, 16)).evaluate(m, binding, Dataset.VAL,
          Evaluator.Kind.FASTBINDING, new EvalSettings(Mode.MMICT, true, DemoSampler.ALL,
              DemoSampler.Strategy.SAME_GROUP, 10, 4, GenerationConfig.greedy(4, tok.eosId(), tok.padId()), 1));
      assertEquals(10, r.samples());
      assertEquals(10, r.predictions().size());
      double chance = r.metrics().get("chance");
      assertTrue(chance >= 0.2 && chance <= 0.5, "2-5 ways give a chance level in [0.2, 0.5]: " + chance);
      for (Evaluator.Prediction p : r.predictions()) {
        assertTrue(p.names().contains(p.references().get(0)), "the query's name is one of its dialog's names");
      }
    }
  }
}
