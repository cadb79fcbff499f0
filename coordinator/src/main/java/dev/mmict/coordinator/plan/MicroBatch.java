package dev.mmict.coordinator.plan;

import java.util.List;

/**
 * A fixed slice of a step's global batch: the unit that is assigned to a worker, whose gradient
 * is computed as one piece, and that the audit records.
 *
 * @param id position in the global batch, 0-based
 * @param queries the queries, in order; at least one
 */
public record MicroBatch(int id, List<PlannedQuery> queries) {

  /** Checks the id and freezes the list. */
  public MicroBatch {
    if (id < 0) {
      throw new IllegalArgumentException("micro-batch id must be >= 0, got " + id);
    }
    queries = List.copyOf(queries);
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("micro-batch " + id + " has no queries");
    }
  }

  /** The query samples' indices, in order. */
  public int[] samples() {
    return queries.stream().mapToInt(PlannedQuery::sample).toArray();
  }
}
