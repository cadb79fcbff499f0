package dev.mmict.worker.train;

import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.optim.AdamW;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointStore;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@link TrainLoop.StateHook} that writes a checkpoint every {@code every} steps and after the
 * last step ({@code every = 0}: after the last step only), with the metrics of {@link #withMetrics}
 * (e.g. the validation loss) in its manifest.
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
  private Supplier<Map<String, Double>> metrics = Map::of;

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

  /**
   * Computes {@code metrics} for every checkpoint written, just before writing it (only then, so
   * steps without a checkpoint pay nothing), and records them in its manifest; returns this hook.
   * The supplier must not change the model or the optimizer.
   */
  public PeriodicCheckpoints withMetrics(Supplier<Map<String, Double>> metrics) {
    this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
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
          TrainCheckpoints.state(state, sources, seed, config, fingerprint, metrics.get()));
    }
  }

  /** The checkpoint written last by this hook, if any. */
  public Optional<Checkpoint> last() {
    return Optional.ofNullable(last);
  }
}
