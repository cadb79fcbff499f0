package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.model.DialogContrast;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binding probe counts the right dialogs, computes chance from their positives, and changes nothing. */
class BindingProbeTest {

  @Test
  void countsEveryDialogWithChanceFromItsPositivesAndTouchesNoParameter() {
    Dataset binding = Datasets.open("shapes-pretrain-binding");
    WordTokenizer tok = TrainLoopTest.tokenizer(binding);
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = TrainLoopTest.tinyModel(m, tok)) {
      model.setTrainable(n -> false);
      Map<String, float[]> before = TextStageTest.values(model);
      BindingProbe probe = new BindingProbe(model, new DialogBuilder(tok, 16), binding, Dataset.VAL, 12, 5);
      DialogContrast.Retrieval a = probe.measure(m);
      DialogContrast.Retrieval b = probe.measure(m);
      assertEquals(a, b, "the probe is a function of the parameters");
      // Hand count: each query's group holds 2-5 names, each shown twice; the query's name is one.
      DemoSampler sampler = new DemoSampler(binding, Dataset.VAL);
      int[] queries = sampler.queryableIndices();
      double chance = 0;
      for (int i = 0; i < 12; i++) {
        int[] demos = sampler.demonstrations(queries[i], DemoSampler.ALL, DemoSampler.Strategy.SAME_GROUP, 0, 0, i);
        Sample q = binding.get(Dataset.VAL, queries[i]);
        List<Sample> ds = java.util.Arrays.stream(demos).mapToObj(d -> binding.get(Dataset.VAL, d)).toList();
        boolean[] pos = DialogBuilder.positives(q, ds);
        int p = 0;
        for (boolean x : pos) {
          p += x ? 1 : 0;
        }
        assertTrue(p >= 1 && p < pos.length, "dialog " + i + " has positives and negatives");
        chance += (double) p / pos.length;
      }
      assertEquals(12, a.dialogs());
      assertEquals(chance / 12, a.chanceAccuracy(), 1e-12);
      Map<String, float[]> after = TextStageTest.values(model);
      for (String name : before.keySet()) {
        assertArrayEquals(before.get(name), after.get(name), name);
      }
    }
  }
}
