package dev.mmict.ops.config;

/**
 * The configuration of one run: one YAML file mapped onto these records, every key defaulted
 * (see {@code docs/configuration.md}). Saved as {@code config.yaml} beside every run's outputs.
 *
 * @param seed seed of the run; initialisation, query order and demonstration draws derive from it
 * @param model the backbone and its shape
 * @param data the task and its demonstrations
 * @param trainer fine-tuning settings
 * @param eval evaluation settings
 * @param pretrain backbone pretraining settings
 * @param demo what {@code mmict demo} compares
 * @param checkpoint checkpoints written by {@code train}, and resuming from them
 * @param cache the frozen-feature cache
 * @param metrics the Prometheus metrics and health endpoints of a run
 */
public record RunConfig(
        long seed,
        ModelConfig model,
        DataConfig data,
        TrainerConfig trainer,
        EvalConfig eval,
        PretrainConfig pretrain,
        DemoConfig demo,
        CheckpointConfig checkpoint,
        CacheConfig cache,
        MetricsConfig metrics) {

    /** The values used for every key a config file and {@code --set} leave out. */
    public static RunConfig defaults() {
        return new RunConfig(42, ModelConfig.defaults(), DataConfig.defaults(), TrainerConfig.defaults(),
                EvalConfig.defaults(), PretrainConfig.defaults(), DemoConfig.defaults(),
                CheckpointConfig.defaults(), CacheConfig.defaults(), MetricsConfig.defaults());
    }
}
