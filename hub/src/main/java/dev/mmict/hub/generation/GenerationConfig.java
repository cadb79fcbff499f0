package dev.mmict.hub.generation;

/**
 * How {@link Generator} decodes: lengths, beams, special tokens and length penalty, with
 * Hugging Face {@code generate()} semantics.
 *
 * @param maxNewTokens most tokens generated per row, EOS included (BLIP-2 captions: 30)
 * @param minNewTokens tokens that must be generated before EOS may be chosen: EOS's score is
 *     -inf while fewer than this many exist (BLIP-2: 8 for captions, 1 for QA)
 * @param numBeams beams per row; 1 is greedy decoding (BLIP-2: 5)
 * @param eosId the end-of-sequence token; generation of a row or hypothesis ends when chosen,
 *     and it is not part of the returned ids
 * @param padId the filler for finished rows in {@link Generator#toPaddedIds}
 * @param lengthPenalty a finished hypothesis scores {@code sum(logprob) / length^lengthPenalty},
 *     length counting its generated tokens including EOS; 0 ranks by total log-probability,
 *     larger values favour longer hypotheses (beam search only; default 1)
 * @param earlyStopping beam search only: when true a row stops as soon as {@code numBeams}
 *     hypotheses have finished; when false (HF's default) it stops once, in addition, the best
 *     running beam divided by the current length to the power of the length penalty cannot
 *     beat the worst finished one
 */
public record GenerationConfig(int maxNewTokens, int minNewTokens, int numBeams, int eosId,
    int padId, double lengthPenalty, boolean earlyStopping) {

  /** Validates every field, naming the one that is wrong. */
  public GenerationConfig {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("generation: maxNewTokens must be ≥ 1, got " + maxNewTokens);
    }
    if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
      throw new IllegalArgumentException("generation: minNewTokens must be in [0, maxNewTokens = "
          + maxNewTokens + "], got " + minNewTokens);
    }
    if (numBeams < 1) {
      throw new IllegalArgumentException("generation: numBeams must be ≥ 1, got " + numBeams);
    }
    if (eosId < 0) {
      throw new IllegalArgumentException("generation: eosId must be ≥ 0, got " + eosId);
    }
    if (padId < 0) {
      throw new IllegalArgumentException("generation: padId must be ≥ 0, got " + padId);
    }
    if (!Double.isFinite(lengthPenalty)) {
      throw new IllegalArgumentException("generation: lengthPenalty must be finite, got "
          + lengthPenalty);
    }
  }

  /** Greedy decoding with no minimum length. */
  public static GenerationConfig greedy(int maxNewTokens, int eosId, int padId) {
    return new GenerationConfig(maxNewTokens, 0, 1, eosId, padId, 1.0, false);
  }

  /** Beam search with length penalty 1 and HF's default stopping rule. */
  public static GenerationConfig beamSearch(int numBeams, int maxNewTokens, int minNewTokens,
      int eosId, int padId) {
    return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, eosId, padId, 1.0, false);
  }

  /** A copy with another length penalty. */
  public GenerationConfig withLengthPenalty(double penalty) {
    return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, eosId, padId, penalty,
        earlyStopping);
  }

  /** A copy with another number of beams. */
  public GenerationConfig withNumBeams(int beams) {
    return new GenerationConfig(maxNewTokens, minNewTokens, beams, eosId, padId, lengthPenalty,
        earlyStopping);
  }
}
