package dev.mmict.coordinator.sweep;

/**
 * Thrown when a sweep process that held the lease of a sweep directory finds that another one has
 * taken it over (a higher term, or the same term written by another holder): it must stop without
 * writing the sweep's state, which now belongs to the new holder.
 */
public final class StaleTermException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** @param message names the directory, both terms and the new holder */
  public StaleTermException(String message) {
    super(message);
  }
}
