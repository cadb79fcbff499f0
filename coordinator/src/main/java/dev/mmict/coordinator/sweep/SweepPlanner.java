package dev.mmict.coordinator.sweep;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which trials run on which workers of the shared pool. Pure: the same inputs give the
 * same plan.
 *
 * <p>Rules, applied in order:
 * <ol>
 *   <li>A RUNNING trial keeps its live workers. Workers recorded for a trial that is no longer
 *       RUNNING (completed, stopped, failed) are released to the pool; dead workers are dropped.</li>
 *   <li>While fewer than {@code parallel} trials run and free workers remain, the next PENDING
 *       trial starts: those that resume from a checkpoint first, then by index. Each gets
 *       {@code min(workersPerTrial, free)} workers, taken in sorted id order, so a partial group
 *       starts rather than leaving workers idle (elastic training runs on any number of workers).</li>
 *   <li>Workers still free top up running trials whose group is below {@code workersPerTrial},
 *       in trial index order; what is left stays idle.</li>
 * </ol>
 */
public final class SweepPlanner {

  private final int parallel;
  private final int workersPerTrial;

  /**
   * @param parallel most trials running at once, >= 1
   * @param workersPerTrial workers a trial's group holds at most, >= 1
   */
  public SweepPlanner(int parallel, int workersPerTrial) {
    if (parallel < 1) {
      throw new IllegalArgumentException("trials in parallel must be >= 1, got " + parallel);
    }
    if (workersPerTrial < 1) {
      throw new IllegalArgumentException("workers per trial must be >= 1, got " + workersPerTrial);
    }
    this.parallel = parallel;
    this.workersPerTrial = workersPerTrial;
  }

  /**
   * Plans the next moves.
   *
   * @param state the sweep's trials and their statuses
   * @param assignments trial id → workers it was given before (may include finished trials)
   * @param liveWorkers the workers alive in the cluster now
   */
  public SweepPlan plan(SweepState state, Map<String, List<String>> assignments, Collection<String> liveWorkers) {
    Set<String> live = new TreeSet<>(liveWorkers);
    Map<String, String> holder = new HashMap<>();
    Map<String, List<String>> groups = new LinkedHashMap<>();
    Set<String> released = new TreeSet<>();
    for (Map.Entry<String, List<String>> entry : assignments.entrySet()) {
      TrialRecord trial = state.trial(entry.getKey());
      for (String worker : entry.getValue()) {
        String previous = holder.put(worker, trial.id());
        if (previous != null) {
          throw new IllegalArgumentException("worker " + worker + " is assigned to both " + previous + " and "
              + trial.id());
        }
        if (!live.contains(worker)) {
          continue;
        }
        if (trial.status() == TrialStatus.RUNNING) {
          groups.computeIfAbsent(trial.id(), k -> new ArrayList<>()).add(worker);
        } else {
          released.add(worker);
        }
      }
    }
    List<TrialRecord> running = new ArrayList<>(state.withStatus(TrialStatus.RUNNING));
    for (TrialRecord t : running) {
      groups.putIfAbsent(t.id(), new ArrayList<>());
    }
    TreeSet<String> free = new TreeSet<>(live);
    groups.values().forEach(free::removeAll);

    Map<String, List<String>> starts = new LinkedHashMap<>();
    List<TrialRecord> pending = new ArrayList<>(state.withStatus(TrialStatus.PENDING));
    pending.sort(Comparator.comparing((TrialRecord t) -> !t.resumes()).thenComparingInt(TrialRecord::index));
    int slots = parallel - running.size();
    for (TrialRecord t : pending) {
      if (slots <= 0 || free.isEmpty()) {
        break;
      }
      List<String> group = take(free, workersPerTrial);
      starts.put(t.id(), group);
      groups.put(t.id(), new ArrayList<>(group));
      slots--;
    }

    Map<String, List<String>> grows = new LinkedHashMap<>();
    List<TrialRecord> growable = new ArrayList<>(running);
    growable.sort(Comparator.comparingInt(TrialRecord::index));
    for (TrialRecord t : growable) {
      List<String> group = groups.get(t.id());
      int missing = workersPerTrial - group.size();
      if (missing > 0 && !free.isEmpty()) {
        List<String> added = take(free, missing);
        group.addAll(added);
        grows.put(t.id(), added);
      }
    }

    Map<String, List<String>> ordered = new LinkedHashMap<>();
    state.trials().stream().filter(t -> groups.containsKey(t.id()))
        .forEach(t -> ordered.put(t.id(), groups.get(t.id())));
    return new SweepPlan(starts, grows, new ArrayList<>(released), new ArrayList<>(free), ordered);
  }

  private static List<String> take(TreeSet<String> free, int count) {
    List<String> taken = new ArrayList<>();
    while (taken.size() < count && !free.isEmpty()) {
      taken.add(free.pollFirst());
    }
    return taken;
  }
}
