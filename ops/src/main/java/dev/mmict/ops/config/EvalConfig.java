package dev.mmict.ops.config;

/**
 * Evaluation by generation.
 *
 * @param split the split to evaluate ({@code val} or {@code test})
 * @param samples evaluate at most this many queries (the first of a seeded order)
 * @param withDemos give queries demonstrations at evaluation time (MMICT.md's default)
 * @param beams beam width; 1 is greedy decoding
 * @param maxNewTokens most tokens generated per answer, EOS included
 * @param minNewTokens fewest tokens generated before EOS may end an answer
 * @param batchSize dialogs decoded together
 */
public record EvalConfig(
        @OneOf({"val", "test"}) String split,
        @Range(min = 1) int samples,
        boolean withDemos,
        @Range(min = 1, max = 16) int beams,
        @Range(min = 1, max = 256) int maxNewTokens,
        @Range(min = 0, max = 256) int minNewTokens,
        @Range(min = 1, max = 1024) int batchSize) {

    /** Rejects a minimum above the maximum. */
    public EvalConfig {
        if (minNewTokens > maxNewTokens) {
            throw new IllegalArgumentException("minNewTokens (" + minNewTokens + ") must not exceed maxNewTokens (" + maxNewTokens + ")");
        }
    }

    /** Greedy decoding of 200 test queries with demonstrations. */
    public static EvalConfig defaults() {
        return new EvalConfig("test", 200, true, 1, 16, 1, 32);
    }
}
