package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvaluatorScoreTest {

  @Test
  void bindingMetricsAreAccuracyChanceAndCopyRate() {
    List<Evaluator.Prediction> p = List.of(
        new Evaluator.Prediction("a", "dax", List.of("dax"), Set.of("dax", "wug"), true), // right
        new Evaluator.Prediction("b", "wug.", List.of("fep"), Set.of("fep", "wug", "zup", "kiki"), true), // copied, wrong
        new Evaluator.Prediction("c", "blue", List.of("toma"), Set.of("toma", "zorp"), false)); // neither
    Map<String, Double> m = Evaluator.score(Evaluator.Kind.FASTBINDING, p);
    assertEquals(1.0 / 3, m.get("accuracy"), 1e-12);
    assertEquals((0.5 + 0.25 + 0.5) / 3, m.get("chance"), 1e-12);
    assertEquals(2.0 / 3, m.get("copy_rate"), 1e-12);
    assertEquals(0.5, m.get("accuracy_shared_colour"), 1e-12);
    assertEquals(0.0, m.get("accuracy_distinct_colours"), 1e-12);
  }

  @Test
  void vqaUsesSoftAccuracyAndExactMatch() {
    List<String> ten = List.of("2", "2", "two", "3", "3", "3", "3", "3", "3", "3");
    Map<String, Double> m = Evaluator.score(Evaluator.Kind.VQA,
        List.of(new Evaluator.Prediction("q", "2", ten, Set.of(), null)));
    // The official evaluation normalises only punctuation in annotator answers, so "two" does not
    // match "2": two annotators agree. Leaving out one of the eight others keeps 2 matches (2/3);
    // leaving out one of the two keeps 1 (1/3).
    assertEquals((8 * (2.0 / 3) + 2 * (1.0 / 3)) / 10, m.get("vqa_accuracy"), 1e-9);
    assertEquals(1.0, m.get("accuracy"), 1e-12);
  }

  @Test
  void captionsGetTheCocoMetrics() {
    Map<String, Double> m = Evaluator.score(Evaluator.Kind.CAPTION, List.of(
        new Evaluator.Prediction("1", "a red circle", List.of("a red circle"), Set.of(), null),
        new Evaluator.Prediction("2", "a blue square", List.of("a green triangle"), Set.of(), null)));
    assertEquals(Set.of("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L", "CIDEr"), m.keySet());
    assertEquals((1.0 + 1.0 / 3) / 2, m.get("ROUGE-L"), 0.05);
  }
}
