package dev.mmict.ops.config;

/**
 * The binding stages that close pretraining (docs/decisions/0003): first only the M-Hub side
 * (M-Hub, query tokens, {@code ln_vision}, projection, EOC) trains on the grouped (fast-binding)
 * pretraining tasks in MMICT format, with a strong dialog contrastive weight, until a query's TGV
 * finds the demonstrations that show its object; then everything trains on the same dialogs, so the
 * LLM learns to use that match. Both stages use the LM loss plus the contrastive loss.
 *
 * @param hubSteps steps of the M-Hub-side stage (0 skips it)
 * @param jointSteps steps of the stage in which everything trains (0 skips it)
 * @param hubLr peak learning rate of the M-Hub-side stage (warm-up over pretrain.warmupSteps, then cosine)
 * @param jointLr peak learning rate of the joint stage
 * @param contrastWeight weight of the dialog contrastive loss in both stages
 */
public record BindingStageConfig(
        @Range(min = 0) int hubSteps,
        @Range(min = 0) int jointSteps,
        @Range(min = 0, max = 1, exclusiveMin = true) double hubLr,
        @Range(min = 0, max = 1, exclusiveMin = true) double jointLr,
        @Range(min = 0, max = 100) double contrastWeight) {

    /** The stages that produced the shipped backbone. */
    public static BindingStageConfig defaults() {
        return new BindingStageConfig(500, 2400, 1e-3, 5e-4, 5.0);
    }
}
