package dev.mmict.ops.config;

/**
 * The configuration of one run (placeholder tree, to be extended): the seed every random choice
 * derives from, the trainer settings and the data settings.
 *
 * @param seed seed of the run; plans, demonstration sampling and initialisation derive from it
 * @param trainer optimisation settings
 * @param data task and in-context demonstration settings
 */
public record RunConfig(long seed, TrainerConfig trainer, DataConfig data) {

    /** The values used for every key a config file and {@code --set} leave out. */
    public static RunConfig defaults() {
        return new RunConfig(42, TrainerConfig.defaults(), DataConfig.defaults());
    }
}
