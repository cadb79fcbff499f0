package dev.mmict.storage.dataset.real;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every record a reader dropped under {@link BadInputPolicy#SKIP}, with its reason, in the order
 * met. Empty under {@link BadInputPolicy#FAIL} (the first bad record stops the reader).
 */
public final class SkipReport {

  /** How many entries {@link #summary()} lists by name. */
  static final int LISTED = 5;

  /**
   * One dropped record.
   *
   * @param problem the kind of bad input
   * @param file the file the record is in
   * @param record the record ("annotations[17] (image_id 391895)")
   * @param detail what was wrong
   */
  public record Skip(Problem problem, String file, String record, String detail) {
    @Override
    public String toString() {
      return file + ": " + record + ": " + detail;
    }
  }

  private final List<Skip> skips;

  SkipReport(List<Skip> skips) {
    this.skips = List.copyOf(skips);
  }

  /** Nothing skipped. */
  public static SkipReport empty() {
    return new SkipReport(List.of());
  }

  /** Every dropped record, in the order met. */
  public List<Skip> skips() {
    return skips;
  }

  /** The number of dropped records. */
  public int count() {
    return skips.size();
  }

  /** Whether nothing was dropped. */
  public boolean isEmpty() {
    return skips.isEmpty();
  }

  /** Dropped records per kind of problem (kinds with none left out). */
  public Map<Problem, Integer> countsByProblem() {
    Map<Problem, Integer> out = new EnumMap<>(Problem.class);
    for (Skip s : skips) {
      out.merge(s.problem(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(out);
  }

  /** The dropped records of one kind. */
  public List<Skip> of(Problem problem) {
    List<Skip> out = new ArrayList<>();
    for (Skip s : skips) {
      if (s.problem() == problem) {
        out.add(s);
      }
    }
    return out;
  }

  /** One line for a log: the count, the counts per kind and the first few records. */
  public String summary() {
    if (skips.isEmpty()) {
      return "no records skipped";
    }
    StringBuilder sb = new StringBuilder().append(skips.size()).append(" records skipped ")
        .append(countsByProblem()).append("; first: ");
    for (int i = 0; i < Math.min(LISTED, skips.size()); i++) {
      sb.append(i == 0 ? "" : " | ").append(skips.get(i));
    }
    if (skips.size() > LISTED) {
      sb.append(" | … (").append(skips.size() - LISTED).append(" more in the skip report)");
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
