package dev.mmict.ops.config;

/**
 * MMICT fine-tuning: what trains is fixed by the method (M-Hub, query tokens, ln_vision,
 * projection, EOC; vision encoder and LLM frozen); these are the optimisation knobs.
 *
 * @param mode the sequence format: MMICT, VanillaICT or VanillaFT
 * @param steps optimizer steps
 * @param batchSize dialogs per step (the global batch)
 * @param lr peak learning rate after warm-up (AdamW)
 * @param warmupSteps linear warm-up steps, then cosine decay to 0; at most {@code steps}
 * @param weightDecay AdamW decoupled weight decay, applied to matrices only
 * @param gradClip gradients whose global L2 norm exceeds this are scaled down to it (0: off)
 */
public record TrainerConfig(
        @OneOf({"MMICT", "VanillaICT", "VanillaFT"}) String mode,
        @Range(min = 1) int steps,
        @Range(min = 1, max = 65536) int batchSize,
        @Range(min = 0, max = 1, exclusiveMin = true) double lr,
        @Range(min = 0) int warmupSteps,
        @Range(min = 0, max = 1) double weightDecay,
        @Range(min = 0) double gradClip) {

    /** Rejects a warm-up longer than the run. */
    public TrainerConfig {
        if (warmupSteps > steps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must not exceed steps (" + steps + ")");
        }
    }

    /** Defaults sized for the tiny CPU model. */
    public static TrainerConfig defaults() {
        return new TrainerConfig("MMICT", 200, 16, 5e-4, 20, 0.05, 1.0);
    }
}
