package dev.mmict.worker.train;

import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.optim.AdamW;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The {@link TrainLoop.StateHook} that writes a checkpoint every {@code every} steps and after the
 * last step ({@code every = 0}: after the last step only).
 */
public final class PeriodicCheckpoints implements TrainLoop.StateHook {
  private final CheckpointStore store;
  private final MmictModel model;
  private final int every;
  private final List<TaskMix> sources;
  private final long seed;
  private final String config;
  private final String fingerprint;
  private Checkpoint last;
  private int alsoAt = -1;

  /**
   * @param config the resolved run configuration (YAML), stored in each manifest
   * @param fingerprint {@link TrainCheckpoints#fingerprint} of {@code model}
   */
  public PeriodicCheckpoints(CheckpointStore store, MmictModel model, int every, List<TaskMix> sources, long seed,
      String config, String fingerprint) {
    if (every < 0) {
      throw new IllegalArgumentException("every must be >= 0, got " + every);
    }
    this.store = store;
    this.model = model;
    this.every = every;
    this.sources = List.copyOf(sources);
    this.seed = seed;
    this.config = config;
    this.fingerprint = fingerprint;
  }

  /**
   * Also writes a checkpoint once {@code step} steps are done (a run told to stop there, so that it
   * can be resumed from exactly that step); returns this hook.
   */
  public PeriodicCheckpoints alsoAt(int step) {
    if (step < 1) {
      throw new IllegalArgumentException("alsoAt must be >= 1, got " + step);
    }
    this.alsoAt = step;
    return this;
  }

  /** Whether a checkpoint is written once {@code done} of {@code total} steps are complete. */
  public boolean due(int done, int total) {
    return done == total || done == alsoAt || (every > 0 && done % every == 0);
  }

  @Override
  public void afterStep(LoopState state, int totalSteps, AdamW optimizer) throws IOException {
    if (due(state.nextStep(), totalSteps)) {
      last = TrainCheckpoints.write(store, model, optimizer,
          TrainCheckpoints.state(state, sources, seed, config, fingerprint));
    }
  }

  /** The checkpoint written last by this hook, if any. */
  public Optional<Checkpoint> last() {
    return Optional.ofNullable(last);
  }
}
