package dev.mmict.coordinator.plan;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import java.util.List;
import java.util.Set;

/** A train split of {@code size} index-only samples; those in {@code demoOnly} are not queryable. */
record IndexDataset(int size, Set<Integer> demoOnly) implements Dataset {

  static IndexDataset of(int size) {
    return new IndexDataset(size, Set.of());
  }

  @Override
  public String name() {
    return "index-" + size;
  }

  @Override
  public List<String> splits() {
    return List.of(TRAIN);
  }

  @Override
  public int size(String split) {
    if (!TRAIN.equals(split)) {
      throw new IllegalArgumentException("no split " + split);
    }
    return size;
  }

  @Override
  public Sample get(String split, int index) {
    throw new UnsupportedOperationException("the planner must not materialise samples");
  }

  @Override
  public boolean isQueryable(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return !demoOnly.contains(index);
  }
}
