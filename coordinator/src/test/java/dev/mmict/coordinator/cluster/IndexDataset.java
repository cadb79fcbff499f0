package dev.mmict.coordinator.cluster;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import java.util.List;

/**
 * Test data for the driver: a training split of {@code size} index-only samples (the planner
 * needs counts, never contents), e.g. 12 = 3 steps of 4 per epoch, 2 micro-batches of 2 per step.
 */
record IndexDataset(int size) implements Dataset {
  @Override public String name() { return "indices"; }
  @Override public List<String> splits() { return List.of(TRAIN); }
  @Override public int size(String split) { return size; }
  @Override public Sample get(String split, int index) { throw new UnsupportedOperationException(); }
  @Override public boolean isQueryable(String split, int index) { return true; }
}
