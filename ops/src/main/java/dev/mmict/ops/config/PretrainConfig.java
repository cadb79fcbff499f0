package dev.mmict.ops.config;

import java.util.List;

/**
 * Pretraining of the backbone, from scratch or from {@code init}: the frozen parts MMICT needs
 * must get their abilities here, so the mixture holds captioning, QA and interleaved
 * fast-binding dialogs in all three sequence formats, plus the dialog contrastive objective.
 * The tasks must not be the downstream ones (their names and templates stay unseen).
 *
 * @param tasks pretraining tasks (built-in names or YAML files)
 * @param weights relative draw frequency of each task (same length as tasks)
 * @param steps optimizer steps
 * @param batchSize dialogs per step
 * @param lr peak learning rate
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW decay on matrices
 * @param contrastWeight weight of the dialog contrastive loss on MMICT-format batches
 * @param vocabularySamples samples per task read to build the word vocabulary
 * @param gradClip global gradient-norm clip (0: off)
 * @param textSteps steps of the text-only first stage, in which the LLM alone learns to copy by
 *     content (induction) before the multi-modal stage; 0 skips it
 * @param textBatchSize sequences per text-stage step
 * @param textLr peak learning rate of the text stage (warm-up over warmupSteps, then cosine)
 * @param binding the binding stages that close pretraining
 * @param init a backbone directory to start from instead of random weights (its tokenizer and
 *     shape are kept; model.* shape keys are ignored); empty: from scratch
 */
public record PretrainConfig(
        List<String> tasks,
        List<Integer> weights,
        @Range(min = 0) int steps,
        @Range(min = 1, max = 65536) int batchSize,
        @Range(min = 0, max = 1, exclusiveMin = true) double lr,
        @Range(min = 0) int warmupSteps,
        @Range(min = 0, max = 1) double weightDecay,
        @Range(min = 0, max = 100) double contrastWeight,
        @Range(min = 1) int vocabularySamples,
        @Range(min = 0) double gradClip,
        @Range(min = 0) int textSteps,
        @Range(min = 1, max = 65536) int textBatchSize,
        @Range(min = 0, max = 1, exclusiveMin = true) double textLr,
        BindingStageConfig binding,
        String init) {

    /** Checks that every task has a positive weight. */
    public PretrainConfig {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("tasks must name at least one pretraining task");
        }
        if (weights.size() != tasks.size()) {
            throw new IllegalArgumentException("weights has " + weights.size() + " entries but tasks has " + tasks.size());
        }
        for (int w : weights) {
            if (w < 1) {
                throw new IllegalArgumentException("weights must be >= 1, got " + w);
            }
        }
        if (binding == null) {
            binding = BindingStageConfig.defaults();
        }
        if (init == null) {
            init = "";
        }
        for (int stage : new int[] {binding.hubSteps(), binding.jointSteps(), binding.mixSteps()}) {
            if (stage > 0 && warmupSteps > stage) {
                throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must not exceed a binding stage's steps ("
                        + stage + ")");
            }
        }
        if (textSteps > 0 && warmupSteps > textSteps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must not exceed textSteps (" + textSteps
                    + ") when the text stage runs");
        }
        if (steps > 0 && warmupSteps > steps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must not exceed steps (" + steps + ")");
        }
    }

    /** The mixture that produced the shipped backbone. */
    public static PretrainConfig defaults() {
        return new PretrainConfig(
                List.of("shapes-pretrain-binding-rich", "shapes-pretrain-caption", "shapes-pretrain-vqa"),
                List.of(6, 1, 1), 3500, 16, 1e-3, 100, 0.05, 0.5, 3000, 1.0, 3000, 64, 1e-3,
                BindingStageConfig.defaults(), "");
    }
}
