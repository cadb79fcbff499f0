package dev.mmict.ops.run;

import java.net.URI;

/**
 * Watches a run from outside the training loop, for tests and embedding programs: where its
 * metrics are served and each finished training step. Called on the training thread; keep it quick.
 */
public interface RunObserver {

  /** The run's metrics and health endpoints are up at {@code base} ({@code http://host:port/}). */
  default void serving(URI base) { }

  /** Training step {@code step} (0-based) of {@code total} of the loop {@code label} finished and was recorded. */
  default void stepped(String label, int step, int total) { }

  /** An observer that does nothing. */
  RunObserver NONE = new RunObserver() { };
}
