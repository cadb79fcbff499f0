package dev.mmict.coordinator.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link SweepPlanner} decided for one moment of a sweep.
 *
 * @param starts trials to start now → the workers each gets, in trial index order
 * @param grows running trials → workers added to their group (a group that lost workers)
 * @param released workers taken back from trials that are no longer running, sorted
 * @param idle live workers that no trial holds after this plan, sorted
 * @param assignments every running or starting trial → its whole worker group after this plan
 */
public record SweepPlan(
    Map<String, List<String>> starts,
    Map<String, List<String>> grows,
    List<String> released,
    List<String> idle,
    Map<String, List<String>> assignments) {

  /** Copies everything, keeping map order. */
  public SweepPlan {
    starts = copy(starts);
    grows = copy(grows);
    released = List.copyOf(released);
    idle = List.copyOf(idle);
    assignments = copy(assignments);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> map) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }
}
