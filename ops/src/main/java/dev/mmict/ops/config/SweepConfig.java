package dev.mmict.ops.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A sweep file ({@code mmict sweep --config sweep.yaml}): a base run configuration, the searched
 * keys, the budget, the objective, the early-stopping scheduler and the sampling seed. Loaded and
 * checked by {@link SweepConfigLoader}; see {@code docs/sweeps.md}.
 *
 * @param baseConfig a run config file (relative to the sweep file) laid under {@code base}, or null
 * @param base the run configuration every trial starts from (defaults, then {@code baseConfig},
 *     then this inline section)
 * @param space searched key ({@code trainer.lr}) → one entry {@code kind: [values]}, kind being
 *     {@code grid}, {@code choice}, {@code uniform}, {@code logUniform} or {@code intUniform};
 *     values are typed by the key later
 * @param budget how many trials and how they share the workers
 * @param objective the metric to optimise
 * @param scheduler early stopping
 * @param seed seed of the trial sampler (not of the runs: that is {@code base.seed})
 */
public record SweepConfig(
        Path baseConfig,
        RunConfig base,
        Map<String, Map<String, List<String>>> space,
        Budget budget,
        Objective objective,
        Scheduler scheduler,
        long seed) {

    /**
     * No searched keys, one trial of the default run, minimise the held-out validation loss
     * ({@link Objective#DEFAULT_METRIC}) with ASHA's defaults.
     */
    public static SweepConfig defaults() {
        return new SweepConfig(null, RunConfig.defaults(), Map.of(), new Budget(1, 1, 1, 0),
                new Objective(Objective.DEFAULT_METRIC, "min"), new Scheduler("asha", 100, 1, 4), 0);
    }

    /**
     * How many trials, and how they share the workers.
     *
     * @param numTrials repetitions of the grid (Ray Tune's {@code num_samples}): trials = numTrials ×
     *     grid points; with no grid key, the number of trials
     * @param parallel trials running at once
     * @param workersPerTrial workers (JVMs) one trial trains on at most
     * @param workers worker JVMs of the sweep's shared pool when {@code workersPerTrial} >= 2; 0 (the
     *     default): {@code parallel × workersPerTrial}
     */
    public record Budget(
            @Range(min = 1, max = 100000) int numTrials,
            @Range(min = 1, max = 1024) int parallel,
            @Range(min = 1, max = 1024) int workersPerTrial,
            @Range(min = 0, max = 4096) int workers) {

        /** Worker JVMs in the pool: {@code workers}, or {@code parallel × workersPerTrial} when it is 0. */
        public int poolSize() {
            return workers > 0 ? workers : parallel * workersPerTrial;
        }
    }

    /**
     * What the sweep optimises.
     *
     * @param metric a metric of the evaluation each trial runs at a rung ({@code val_loss}, {@code CIDEr},
     *     {@code BLEU-4}, ...), or {@code loss}: the training loss of the trial's last stretch (not an
     *     evaluation; accepted for sweep files written when it was the default)
     * @param mode {@code max} when larger is better, {@code min} when smaller is
     */
    public record Objective(String metric, @OneOf({"min", "max"}) String mode) {

        /** The default metric: the held-out validation loss every evaluation row reports. */
        public static final String DEFAULT_METRIC = "val_loss";

        /**
         * The default metric before {@link #DEFAULT_METRIC}: the training loss; a sweep state
         * written with it is recognised on restart (see {@link SweepDefinition#formerDefaultFingerprint()}).
         */
        public static final String FORMER_DEFAULT_METRIC = "loss";

        /** Rejects a blank metric. */
        public Objective {
            if (metric == null || metric.isBlank()) {
                throw new IllegalArgumentException("objective.metric must name a metric, e.g. val_loss or CIDEr");
            }
        }
    }

    /**
     * Early stopping, in optimizer steps.
     *
     * @param type {@code asha} (asynchronous successive halving) or {@code none} (every trial runs to the end)
     * @param maxT steps after which a trial ends
     * @param gracePeriod the first rung: no trial stops before it
     * @param reductionFactor rungs at gracePeriod × reductionFactor^k; the top 1/reductionFactor continue
     */
    public record Scheduler(
            @OneOf({"asha", "none"}) String type,
            @Range(min = 1) long maxT,
            @Range(min = 1) long gracePeriod,
            @Range(min = 2, max = 1000) int reductionFactor) {

        /** Rejects a grace period beyond maxT. */
        public Scheduler {
            if (gracePeriod > maxT) {
                throw new IllegalArgumentException("gracePeriod (" + gracePeriod + ") must not exceed maxT (" + maxT + ")");
            }
        }
    }
}
