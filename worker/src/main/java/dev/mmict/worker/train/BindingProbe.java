package dev.mmict.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.model.DialogContrast;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures, on a fixed set of a grouped (fast-binding) task's dialogs, whether the M-Hub lets a
 * query find its demonstrations: how often the query's pooled TGV is most similar to a
 * demonstration that shows the same object ({@link DialogContrast#retrieval}). This is what the
 * dialog contrastive objective trains and what in-context binding needs; at chance, an LLM can
 * copy a name from the dialog but not pick the right one. No gradients, no parameter changes.
 */
public final class BindingProbe {
  private final MmictModel model;
  private final DialogBuilder builder;
  private final Dataset dataset;
  private final String split;
  private final int[] queries;
  private final int batchSize;
  private final DialogContrast contrast = new DialogContrast(0.1);
  private final DemoSampler sampler;

  /**
   * @param dataset a grouped task (each query's demonstrations are its group's other members)
   * @param split the split the dialogs come from
   * @param dialogs how many dialogs (the first of the split's queryable samples)
   * @param batchSize dialogs per forward pass
   */
  public BindingProbe(MmictModel model, DialogBuilder builder, Dataset dataset, String split, int dialogs,
      int batchSize) {
    if (dialogs < 1 || batchSize < 1) {
      throw new IllegalArgumentException("dialogs and batchSize must be >= 1, got " + dialogs + " and " + batchSize);
    }
    this.model = model;
    this.builder = builder;
    this.dataset = dataset;
    this.split = split;
    this.sampler = new DemoSampler(dataset, split);
    int[] all = sampler.queryableIndices();
    if (all.length == 0) {
      throw new IllegalArgumentException(dataset.name() + ": the " + split + " split has no queryable sample");
    }
    this.queries = java.util.Arrays.copyOf(all, Math.min(dialogs, all.length));
    this.batchSize = batchSize;
  }

  /** The retrieval tally over the probe's dialogs, in MMICT format (demonstrations' text in the M-Hub). */
  public DialogContrast.Retrieval measure(NDManager manager) {
    DialogContrast.Retrieval total = new DialogContrast.Retrieval(0, 0, 0);
    for (int from = 0; from < queries.length; from += batchSize) {
      List<Dialog> dialogs = new ArrayList<>();
      List<boolean[]> positives = new ArrayList<>();
      for (int i = from; i < Math.min(queries.length, from + batchSize); i++) {
        Sample query = dataset.get(split, queries[i]);
        List<Sample> demos = new ArrayList<>();
        // Same-group demonstrations are the group's other members; the draw only orders them.
        for (int d : sampler.demonstrations(queries[i], DemoSampler.ALL, DemoSampler.Strategy.SAME_GROUP, 0, 0, i)) {
          demos.add(dataset.get(split, d));
        }
        dialogs.add(builder.dialog(query, demos, true));
        positives.add(DialogBuilder.positives(query, demos));
      }
      try (NDScope scope = new NDScope();
          NDManager batch = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        SequencePlan plan = model.planner().forTraining(dialogs, Mode.MMICT);
        NDArray features = model.encodeVisuals(batch, plan.visuals()); // [I, V, E]
        MmictModel.Outputs out = model.forward(plan, features, false);
        total = total.plus(contrast.retrieval(plan, out.mhub(), positives.toArray(new boolean[0][])));
      }
    }
    return total;
  }
}
