package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The checkpoint metric: a forward-only loss on fixed validation queries that leaves the model as it was. */
class ValidationLossTest {
  private static Dataset caption;
  private static WordTokenizer tok;

  @BeforeAll
  static void data() {
    caption = Datasets.open("shapes-caption");
    tok = TrainLoopTest.tokenizer(caption);
  }

  private static TaskMix source(Dataset ds, Mode mode) {
    return new TaskMix(ds, 1, List.of(mode), 2, DemoSampler.Strategy.RANDOM);
  }

  private static Map<String, float[]> values(MmictModel model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Params.Param p : model.params().all().values()) {
      out.put(p.name(), p.value().toFloatArray());
    }
    return out;
  }

  @Test
  void theLossIsRepeatableAndChangesNoParameter() {
    try (NDManager m = NDManager.newBaseManager()) {
      MmictModel model = TrainLoopTest.tinyModel(m, tok);
      model.setTrainable(MmictModel.FINETUNED);
      DialogBuilder builder = new DialogBuilder(tok, 16);
      ValidationLoss v = ValidationLoss.of(model, builder, source(caption, Mode.MMICT), 5, 2, 11).orElseThrow();
      assertEquals(5, v.samples());
      Map<String, float[]> before = values(model);
      double first = v.compute(m);
      double second = v.compute(m);
      assertTrue(Double.isFinite(first) && first > 0, "a cross-entropy: " + first);
      assertEquals(Double.doubleToLongBits(first), Double.doubleToLongBits(second));
      Map<String, float[]> after = values(model);
      before.forEach((name, value) -> assertArrayEquals(value, after.get(name), name));
      for (Params.Param p : model.params().trainable()) {
        if (p.value().hasGradient()) {
          assertEquals(0f, p.value().getGradient().abs().sum().getFloat(), p.name() + " got a gradient");
        }
      }
    }
  }

  @Test
  void theLossIsTheMeanOverQueriesWhateverTheBatching() {
    try (NDManager m = NDManager.newBaseManager()) {
      MmictModel model = TrainLoopTest.tinyModel(m, tok);
      model.setTrainable(MmictModel.FINETUNED);
      DialogBuilder builder = new DialogBuilder(tok, 16);
      TaskMix src = source(caption, Mode.VANILLA_ICT);
      double whole = ValidationLoss.of(model, builder, src, 3, 3, 5).orElseThrow().compute(m);
      double ones = ValidationLoss.of(model, builder, src, 3, 1, 5).orElseThrow().compute(m);
      double pairs = ValidationLoss.of(model, builder, src, 3, 2, 5).orElseThrow().compute(m);
      assertEquals(whole, ones, 1e-5);
      assertEquals(whole, pairs, 1e-5);
      // Other seeds pick other queries (or demonstrations), so the value moves.
      double other = ValidationLoss.of(model, builder, src, 3, 3, 6).orElseThrow().compute(m);
      assertTrue(Math.abs(other - whole) > 1e-6, whole + " vs " + other);
    }
  }

  @Test
  void noSamplesNoValidationSplitOrTooFewQueries() {
    try (NDManager m = NDManager.newBaseManager()) {
      MmictModel model = TrainLoopTest.tinyModel(m, tok);
      DialogBuilder builder = new DialogBuilder(tok, 16);
      assertTrue(ValidationLoss.of(model, builder, source(caption, Mode.MMICT), 0, 2, 1).isEmpty());
      Dataset noVal = new Dataset() {
        @Override
        public String name() {
          return "no-val";
        }

        @Override
        public List<String> splits() {
          return List.of(TRAIN, TEST);
        }

        @Override
        public int size(String split) {
          return caption.size(split);
        }

        @Override
        public Sample get(String split, int index) {
          return caption.get(split, index);
        }
      };
      assertTrue(ValidationLoss.of(model, builder, source(noVal, Mode.MMICT), 8, 2, 1).isEmpty());
      int valSize = caption.size(Dataset.VAL);
      assertEquals(valSize, ValidationLoss.of(model, builder, source(caption, Mode.VANILLA_FT), valSize + 50, 4, 1)
          .orElseThrow().samples(), "capped at the validation split's queries");
    }
  }
}
