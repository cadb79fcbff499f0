package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Validation shared by the metric entry points: both sides must cover exactly the same ids. */
final class Inputs {

  private Inputs() {}

  /**
   * Returns the ids of {@code references} in sorted order after checking that {@code candidates}
   * has exactly the same ids, that neither map is empty and that no id or value is null.
   *
   * @param referenceKind what the reference side holds, for error messages ("references")
   * @param candidateKind what the candidate side holds, for error messages ("candidate")
   * @throws IllegalArgumentException naming the first offending id
   */
  static List<String> matchedIds(
      Map<String, ?> references, Map<String, ?> candidates, String referenceKind, String candidateKind) {
    if (references == null) {
      throw new IllegalArgumentException(referenceKind + " map is null");
    }
    if (candidates == null) {
      throw new IllegalArgumentException(candidateKind + " map is null");
    }
    if (references.isEmpty() && candidates.isEmpty()) {
      throw new IllegalArgumentException("nothing to evaluate: no " + referenceKind + " and no " + candidateKind);
    }
    TreeSet<String> ids = new TreeSet<>();
    for (Map.Entry<String, ?> e : references.entrySet()) {
      if (e.getKey() == null) {
        throw new IllegalArgumentException(referenceKind + " map contains a null id");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("id '" + e.getKey() + "': " + referenceKind + " are null");
      }
      ids.add(e.getKey());
    }
    for (Map.Entry<String, ?> e : candidates.entrySet()) {
      if (e.getKey() == null) {
        throw new IllegalArgumentException(candidateKind + " map contains a null id");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("id '" + e.getKey() + "': " + candidateKind + " is null");
      }
      if (!ids.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "id '" + e.getKey() + "' has a " + candidateKind + " but no " + referenceKind);
      }
    }
    for (String id : ids) {
      if (!candidates.containsKey(id)) {
        throw new IllegalArgumentException("id '" + id + "' has " + referenceKind + " but no " + candidateKind);
      }
    }
    return new ArrayList<>(ids);
  }
}
