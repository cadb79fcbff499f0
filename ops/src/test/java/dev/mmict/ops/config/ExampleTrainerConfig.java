package dev.mmict.ops.config;

/**
 * Optimisation settings of a run (loader test fixture).
 *
 * @param lr peak learning rate after warm-up
 * @param steps number of optimizer steps
 * @param batchSize global batch size (queries per step, over all workers)
 * @param warmupSteps steps of linear learning-rate warm-up; at most {@code steps}
 * @param weightDecay decoupled weight decay
 */
public record ExampleTrainerConfig(
        @Range(min = 0, max = 1, exclusiveMin = true) double lr,
        @Range(min = 1) int steps,
        @Range(min = 1, max = 65536) int batchSize,
        @Range(min = 0) int warmupSteps,
        @Range(min = 0, max = 1) double weightDecay) {

    /** Rejects a warm-up longer than the run. */
    public ExampleTrainerConfig {
        if (warmupSteps > steps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must not exceed steps (" + steps + ")");
        }
    }

    /** Defaults sized for the tiny CPU model. */
    public static ExampleTrainerConfig defaults() {
        return new ExampleTrainerConfig(1e-4, 200, 8, 20, 0.05);
    }
}
