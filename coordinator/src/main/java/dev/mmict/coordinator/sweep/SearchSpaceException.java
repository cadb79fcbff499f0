package dev.mmict.coordinator.sweep;

/** A search-space parameter that cannot be sampled; the message names the configuration key. */
public final class SearchSpaceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final String problem;

  /**
   * @param key the configuration key the parameter sets ({@code trainer.lr})
   * @param problem what is wrong, without the key
   */
  public SearchSpaceException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
    this.problem = problem;
  }

  /** The configuration key of the offending parameter. */
  public String key() {
    return key;
  }

  /** What is wrong, without the key. */
  public String problem() {
    return problem;
  }
}
