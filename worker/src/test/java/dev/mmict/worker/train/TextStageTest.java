package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.text.WordTokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text stage trains the LLM and nothing else, lowers its loss, and measures without touching it. */
class TextStageTest {

  /** Every parameter's values by name: compare two of these to see what a call changed. */
  static Map<String, float[]> values(MmictModel model) {
    Map<String, float[]> v = new LinkedHashMap<>();
    for (Params.Param p : model.params().all().values()) {
      v.put(p.name(), p.value().toFloatArray());
    }
    return v;
  }

  @Test
  void onlyTheLlmTrainsItsLossFallsAndEverythingIsTrainableAfterwards() {
    WordTokenizer tok = WordTokenizer.builder().addWords(List.of("red", "ball")).build();
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = TrainLoopTest.tinyModel(m, tok)) {
      Map<String, float[]> before = values(model);
      TextStage stage = new TextStage(model, new InductionText(tok, 2, 3, 2, 3));
      List<TextStage.StepResult> results = stage.run(m, new TextStage.Settings(40, 8, 3e-3, 4, 0.0, 1.0, 5),
          (step, total, lr, r) -> assertEquals(40, total));
      assertEquals(40, results.size());
      double first = results.subList(0, 5).stream().mapToDouble(TextStage.StepResult::loss).average().orElseThrow();
      double last = results.subList(35, 40).stream().mapToDouble(TextStage.StepResult::loss).average().orElseThrow();
      assertTrue(last < first - 0.3, "text-stage loss did not fall: " + first + " -> " + last);
      Map<String, float[]> after = values(model);
      int llmChanged = 0;
      for (String name : before.keySet()) {
        boolean same = java.util.Arrays.equals(before.get(name), after.get(name));
        if (TextStage.LLM.test(name)) {
          llmChanged += same ? 0 : 1;
        } else {
          assertTrue(same, name + " changed in the text stage");
        }
      }
      assertTrue(llmChanged > 5, "only " + llmChanged + " LLM tensors changed");
      assertTrue(model.params().all().values().stream().allMatch(Params.Param::trainable),
          "every parameter is trainable again after the stage");
    }
  }

  @Test
  void copyAccuracyIsRepeatableAndChangesNoParameter() {
    WordTokenizer tok = WordTokenizer.builder().addWords(List.of("red")).build();
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = TrainLoopTest.tinyModel(m, tok)) {
      TextStage stage = new TextStage(model, InductionText.defaults(tok));
      Map<String, float[]> before = values(model);
      double a = stage.copyAccuracy(m, 20, 8, 11);
      double b = stage.copyAccuracy(m, 20, 8, 11);
      assertEquals(a, b);
      assertTrue(a >= 0 && a <= 1, "accuracy " + a);
      Map<String, float[]> after = values(model);
      for (String name : before.keySet()) {
        assertArrayEquals(before.get(name), after.get(name), name);
      }
      assertFalse(Double.isNaN(a));
    }
  }

  @Test
  void zeroStepsIsNoStage() {
    WordTokenizer tok = WordTokenizer.builder().addWords(List.of("red")).build();
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = TrainLoopTest.tinyModel(m, tok)) {
      Map<String, float[]> before = values(model);
      assertTrue(new TextStage(model, InductionText.defaults(tok))
          .run(m, new TextStage.Settings(0, 8, 1e-3, 0, 0, 0, 1), (s, t, lr, r) -> { }).isEmpty());
      Map<String, float[]> after = values(model);
      before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }
  }
}
