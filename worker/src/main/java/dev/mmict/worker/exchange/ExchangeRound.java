package dev.mmict.worker.exchange;

/**
 * Which exchange a chunk belongs to: the step and the plan (attempt) of that step. Plan ids grow
 * with every (re-)plan, so chunks of an older plan are known leftovers of an aborted attempt.
 *
 * @param step the training step
 * @param planId the plan of that step
 */
public record ExchangeRound(long step, long planId) {

  /** Whether a chunk tagged {@code (chunkStep, chunkPlan)} belongs to an earlier round. */
  public boolean isAfter(long chunkStep, long chunkPlan) {
    return chunkStep < step || (chunkStep == step && chunkPlan < planId);
  }
}
