package dev.mmict.ops.config;

/**
 * A small config tree that exercises the loader independently of the real {@link RunConfig}: the seed every random choice
 * derives from, the trainer settings and the data settings.
 *
 * @param seed seed of the run; plans, demonstration sampling and initialisation derive from it
 * @param trainer optimisation settings
 * @param data task and in-context demonstration settings
 */
public record ExampleRunConfig(long seed, ExampleTrainerConfig trainer, ExampleDataConfig data) {

    /** The values used for every key a config file and {@code --set} leave out. */
    public static ExampleRunConfig defaults() {
        return new ExampleRunConfig(42, ExampleTrainerConfig.defaults(), ExampleDataConfig.defaults());
    }
}
