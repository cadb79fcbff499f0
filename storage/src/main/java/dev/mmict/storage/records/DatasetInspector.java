package dev.mmict.storage.records;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Summarises a dataset for {@code mmict data inspect}: samples per split and task, and the first
 * few samples of each split as text. Works on any {@link Dataset}; a {@link PackedDataset}'s
 * task counts come from its manifest, any other dataset counts as one task, its own name.
 */
public final class DatasetInspector {

  private DatasetInspector() {}

  /**
   * What {@link #inspect} found.
   *
   * @param dataset the dataset's name
   * @param splits one summary per split, in the dataset's order
   */
  public record Inspection(String dataset, List<SplitSummary> splits) {

    /** Freezes the list. */
    public Inspection {
      splits = List.copyOf(splits);
    }

    /** The summary as the CLI prints it. */
    public String toText() {
      StringBuilder b = new StringBuilder("dataset ").append(dataset).append('\n');
      for (SplitSummary s : splits) {
        b.append("split ").append(s.split()).append(": ").append(s.count()).append(" samples");
        s.tasks().forEach((task, n) -> b.append(", ").append(task).append(' ').append(n));
        b.append('\n');
      }
      for (SplitSummary s : splits) {
        for (int i = 0; i < s.first().size(); i++) {
          b.append(describe(s.split(), i, s.first().get(i)));
        }
      }
      return b.toString();
    }
  }

  /**
   * One split.
   *
   * @param split its name
   * @param count its samples
   * @param tasks samples per task
   * @param first its first samples
   */
  public record SplitSummary(String split, int count, Map<String, Integer> tasks, List<Sample> first) {

    /** Freezes the collections. */
    public SplitSummary {
      tasks = Collections.unmodifiableMap(new TreeMap<>(tasks));
      first = List.copyOf(first);
    }
  }

  /** Counts {@code dataset}'s splits and reads the first {@code samplesPerSplit} of each. */
  public static Inspection inspect(Dataset dataset, int samplesPerSplit) {
    if (samplesPerSplit < 0) {
      throw new IllegalArgumentException("samplesPerSplit must be >= 0, got " + samplesPerSplit);
    }
    List<SplitSummary> out = new ArrayList<>();
    for (String split : dataset.splits()) {
      int count = dataset.size(split);
      Map<String, Integer> tasks = dataset instanceof PackedDataset packed
          ? packed.taskCounts(split)
          : Map.of(dataset.name(), count);
      List<Sample> first = new ArrayList<>();
      for (int i = 0; i < Math.min(samplesPerSplit, count); i++) {
        first.add(dataset.get(split, i));
      }
      out.add(new SplitSummary(split, count, tasks, first));
    }
    return new Inspection(dataset.name(), out);
  }

  /** A few lines describing one sample (frames by their shape and mean value only). */
  public static String describe(String split, int index, Sample s) {
    Frame f = s.frames().get(0);
    double sum = 0;
    int values = 0;
    for (Frame frame : s.frames()) {
      for (float v : frame.pixels()) {
        sum += v;
      }
      values += frame.pixels().length;
    }
    return String.format(
        "%s[%d] %s group=%s queryable=%s frames=%d×[%d, %d, %d] mean=%.3f%n"
            + "  text:    %s%n  prompt:  %s%n  target:  %s%n  answers: %s%n",
        split, index, s.id(), s.group() == null ? "-" : s.group(), s.queryable(),
        s.frames().size(), f.channels(), f.height(), f.width(), sum / values,
        s.text(), s.prompt(), s.target(), s.answers());
  }
}
