package dev.mmict.coordinator.checkpoint;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a cluster run checkpoints and who writes it: after committing step {@code s}, a checkpoint
 * of the state after it is due when {@code s + 1} is a multiple of {@code every} or is the run's
 * last step ({@code steps}); it is written by the candidate with the lowest id (ids compare as
 * strings) that has not been asked for that checkpoint yet, so the choice is deterministic.
 *
 * @param every a checkpoint every this many steps; 0 writes only the last step's
 * @param steps the run's steps ({@code --max-steps} or {@code --stop-at}): the last step's state is
 *     always checkpointed
 */
public record CheckpointPolicy(int every, long steps) {

  /** Checks the values. */
  public CheckpointPolicy {
    if (every < 0) {
      throw new IllegalArgumentException("checkpoint.every must be >= 0, got " + every);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("a run has at least 1 step, got " + steps);
    }
  }

  /** True when the state after committed step {@code step} is to be checkpointed. */
  public boolean dueAfter(long step) {
    long done = step + 1;
    return done == steps || (every > 0 && done % every == 0);
  }

  /** True when the checkpoint of {@code stepsDone} steps is the run's last. */
  public boolean isFinal(long stepsDone) {
    return stepsDone == steps;
  }

  /** The writer: the lowest id of {@code candidates} not in {@code tried}; empty when none is left. */
  public Optional<String> writer(Collection<String> candidates, Set<String> tried) {
    return new TreeSet<>(candidates).stream().filter(id -> !tried.contains(id)).findFirst();
  }
}
