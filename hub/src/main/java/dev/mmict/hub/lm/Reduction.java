package dev.mmict.hub.lm;

/** How per-token losses are averaged into one number. */
public enum Reduction {
  /** Mean over every non-ignored target token of the batch (PyTorch's cross_entropy default). */
  TOKEN_MEAN,
  /**
   * Mean over sequences of each sequence's mean token loss; sequences without a target token are
   * left out, so short answers weigh as much as long ones.
   */
  SEQUENCE_MEAN
}
