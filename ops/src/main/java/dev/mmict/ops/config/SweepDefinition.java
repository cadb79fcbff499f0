package dev.mmict.ops.config;

import dev.mmict.coordinator.sweep.AshaSettings;
import dev.mmict.coordinator.sweep.Objective;
import dev.mmict.coordinator.sweep.SearchSpace;
import dev.mmict.coordinator.sweep.TrialSpec;
import java.util.List;
import java.util.Optional;

/**
 * A sweep file after loading and checking: the typed search space, every trial with its resolved
 * run configuration, and what the coordinator's sweep core needs.
 *
 * @param source the sweep file's name as given
 * @param config the bound sweep file
 * @param space the typed search space
 * @param trials every trial, in index order
 * @param trialConfigs the resolved run configuration of each trial, same order
 * @param objective metric and direction
 * @param asha ASHA's settings, or empty when {@code scheduler.type} is {@code none}
 * @param fingerprint sha256 of what makes two sweeps the same (base config, trials, objective,
 *     scheduler), so a restart with the same file continues the sweep and another file is refused
 * @param formerDefaultFingerprint when the file names no {@code objective.metric}: the fingerprint
 *     the same file had while that metric defaulted to {@code loss} (before {@code val_loss}), so a
 *     restart of such an older sweep can say why its state no longer matches; else null
 */
public record SweepDefinition(
        String source,
        SweepConfig config,
        SearchSpace space,
        List<TrialSpec> trials,
        List<RunConfig> trialConfigs,
        Objective objective,
        Optional<AshaSettings> asha,
        String fingerprint,
        String formerDefaultFingerprint) {

    /** Copies the lists; checks they match. */
    public SweepDefinition {
        trials = List.copyOf(trials);
        trialConfigs = List.copyOf(trialConfigs);
        if (trials.size() != trialConfigs.size()) {
            throw new IllegalArgumentException(trials.size() + " trials but " + trialConfigs.size() + " configs");
        }
    }
}
