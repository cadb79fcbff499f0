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
 * @param hubLr peak learning rate of the M-Hub-side stage (warm-up over pretrain.warmupSteps, then
 *     {@code schedule})
 * @param jointLr peak learning rate of the joint stage
 * @param contrastWeight weight of the dialog contrastive loss in both stages
 * @param mixSteps steps of a last stage in which everything trains on all pretraining tasks with
 *     their {@code pretrain.weights} and the multi-modal stage's formats, at {@code jointLr} with
 *     {@code contrastWeight}: it restores captioning and VQA, which binding-only training lets
 *     drift (0 skips it)
 * @param schedule the learning rate after the warm-up in the binding stages: {@code constant} (as the probes
 *     that bound, docs/decisions/0003) or {@code cosine} (decay to 0, the fine-tuning recipe)
 */
public record BindingStageConfig(
        @Range(min = 0) int hubSteps,
        @Range(min = 0) int jointSteps,
        @Range(min = 0, max = 1, exclusiveMin = true) double hubLr,
        @Range(min = 0, max = 1, exclusiveMin = true) double jointLr,
        @Range(min = 0, max = 100) double contrastWeight,
        @Range(min = 0) int mixSteps,
        @OneOf({CONSTANT, COSINE}) String schedule) {

    /** Constant learning rate after the warm-up. */
    public static final String CONSTANT = "constant";
    /** Cosine decay to 0 after the warm-up. */
    public static final String COSINE = "cosine";

    /** The stages that produced the shipped backbone. */
    public static BindingStageConfig defaults() {
        return new BindingStageConfig(500, 3000, 1e-3, 5e-4, 5.0, 800, CONSTANT);
    }

    /** Where a stage with peak rate {@code lr} ends its decay. */
    public double minLr(double lr) {
        return schedule.equals(CONSTANT) ? lr : 0;
    }
}
