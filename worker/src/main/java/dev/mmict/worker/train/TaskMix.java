package dev.mmict.worker.train;

import dev.mmict.hub.assembly.Mode;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import java.util.List;

/**
 * One source of training batches: a dataset, how often it is drawn relative to the others, the
 * sequence formats its batches take (cycled batch by batch), and how its demonstrations are
 * chosen. Fine-tuning uses one source with one mode; pretraining mixes several with every mode,
 * so the frozen LLM has seen each format before it is frozen.
 */
public record TaskMix(Dataset dataset, int weight, List<Mode> modes, int shots, DemoSampler.Strategy strategy) {

  /** Checks the fields. */
  public TaskMix {
    if (weight < 1 || modes.isEmpty() || shots < 0) {
      throw new IllegalArgumentException("invalid task mix for " + dataset.name()
          + ": weight " + weight + ", modes " + modes + ", shots " + shots);
    }
    modes = List.copyOf(modes);
  }
}
