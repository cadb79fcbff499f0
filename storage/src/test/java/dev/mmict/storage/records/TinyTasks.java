package dev.mmict.storage.records;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.task.Tasks;
import java.util.List;

/** Small generated datasets for pack tests. */
final class TinyTasks {

  static final String CAPTION = """
      kind: caption
      seed: 7
      splits: {train: 12, val: 3, test: 2}
      noise: 0.04
      prompts: ["describe:"]
      targets: ["a {colour} {shape}.", "a {size} {shape}."]
      demos: ["{target}"]
      """;

  static final String BINDING = """
      kind: fastbinding
      seed: 5
      splits: {train: 4, val: 2, test: 2}
      shapes: [circle, square, triangle]
      noise: 0.04
      ways: {min: 2, max: 3}
      shots: 2
      names: {train: [dax, wug, fep], eval: [zib, morf, klen]}
      prompts: ["what is this? this is a"]
      demos: ["this is a {name}."]
      """;

  private TinyTasks() {}

  static Dataset caption() {
    return Datasets.open(Tasks.parse("tiny-caption", CAPTION, "tiny-caption.yaml"));
  }

  static Dataset binding() {
    return Datasets.open(Tasks.parse("tiny-binding", BINDING, "tiny-binding.yaml"));
  }

  /** {@code inner}, except that reading sample {@code failAt} of {@code failSplit} throws. */
  static Dataset failingAt(Dataset inner, String failSplit, int failAt) {
    return new Dataset() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public List<String> splits() {
        return inner.splits();
      }

      @Override
      public int size(String split) {
        return inner.size(split);
      }

      @Override
      public Sample get(String split, int index) {
        if (split.equals(failSplit) && index == failAt) {
          throw new IllegalStateException("simulated crash at " + split + "[" + index + "]");
        }
        return inner.get(split, index);
      }
    };
  }
}
