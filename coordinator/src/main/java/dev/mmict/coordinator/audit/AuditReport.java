package dev.mmict.coordinator.audit;

import java.util.List;

/**
 * The answer to "was every sample of epoch e trained exactly once?".
 *
 * @param epoch the epoch checked
 * @param trained number of audit entries of the epoch
 * @param missing expected samples never trained, ascending
 * @param duplicated samples trained more than once, ascending
 * @param unexpected samples trained that are not in the expected set, ascending
 */
public record AuditReport(
    long epoch, int trained, List<Integer> missing, List<Integer> duplicated, List<Integer> unexpected) {

  /** Freezes the lists. */
  public AuditReport {
    missing = List.copyOf(missing);
    duplicated = List.copyOf(duplicated);
    unexpected = List.copyOf(unexpected);
  }

  /** True when every expected sample was trained exactly once and nothing else was. */
  public boolean exactlyOnce() {
    return missing.isEmpty() && duplicated.isEmpty() && unexpected.isEmpty();
  }

  /** A line for logs and test failures, listing at most 20 indices per kind. */
  public String summary() {
    return "epoch " + epoch + ": " + trained + " trained, " + missing.size() + " missing "
        + head(missing) + ", " + duplicated.size() + " duplicated " + head(duplicated) + ", "
        + unexpected.size() + " unexpected " + head(unexpected);
  }

  private static String head(List<Integer> values) {
    return values.size() <= 20 ? values.toString() : values.subList(0, 20) + "…";
  }
}
