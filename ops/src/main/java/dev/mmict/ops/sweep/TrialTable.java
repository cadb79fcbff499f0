package dev.mmict.ops.sweep;

import dev.mmict.coordinator.sweep.AshaSettings;
import dev.mmict.coordinator.sweep.TrialSpec;
import dev.mmict.ops.config.SweepConfig;
import dev.mmict.ops.config.SweepDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The resolved trials of a sweep as text: a short summary and a markdown table, for {@code --dry-run}. */
public final class TrialTable {

    private TrialTable() {
    }

    /** Summary lines, then one table row per trial with the value of every searched key. */
    public static String dryRun(SweepDefinition sweep) {
        SweepConfig.Budget budget = sweep.config().budget();
        int trials = sweep.trials().size();
        StringBuilder text = new StringBuilder();
        text.append("sweep ").append(sweep.source()).append('\n');
        text.append("  trials:    ").append(trials).append(" = ").append(budget.numTrials())
                .append(" (numTrials) x ").append(sweep.space().gridSize()).append(" grid point")
                .append(sweep.space().gridSize() == 1 ? "" : "s").append("; ").append(budget.parallel())
                .append(" in parallel, up to ").append(budget.workersPerTrial()).append(" worker")
                .append(budget.workersPerTrial() == 1 ? " per trial (in the trial's JVM)\n"
                        : "s per trial from a pool of " + budget.poolSize() + " worker JVMs\n");
        text.append("  objective: ").append(sweep.objective().metric()).append(" (")
                .append(sweep.objective().mode().name().toLowerCase(Locale.ROOT)).append(")\n");
        text.append("  scheduler: ").append(scheduler(sweep)).append('\n');
        text.append("  seed:      ").append(sweep.config().seed()).append("; fingerprint ")
                .append(sweep.fingerprint(), 0, 16).append('\n');
        text.append('\n');

        List<String> keys = sweep.space().keys();
        List<String> header = new ArrayList<>();
        header.add("trial");
        header.addAll(keys);
        text.append(row(header));
        text.append(header.stream().map(h -> "---").collect(Collectors.joining(" | ", "| ", " |\n")));
        for (TrialSpec trial : sweep.trials()) {
            List<String> cells = new ArrayList<>();
            cells.add(trial.id());
            keys.forEach(key -> cells.add(format(trial.params().get(key))));
            text.append(row(cells));
        }
        return text.toString();
    }

    private static String scheduler(SweepDefinition sweep) {
        if (sweep.asha().isEmpty()) {
            return "none (every trial runs to the end)";
        }
        AshaSettings asha = sweep.asha().get();
        return "asha, rungs at steps " + asha.rungs().stream().map(String::valueOf).collect(Collectors.joining(", "))
                + " (maxT " + asha.maxT() + ", grace period " + asha.gracePeriod() + ", reduction factor "
                + asha.reductionFactor() + ")";
    }

    private static String row(List<String> cells) {
        return cells.stream().map(c -> c.replace("|", "\\|")).collect(Collectors.joining(" | ", "| ", " |\n"));
    }

    /** Reals to 6 significant digits without trailing zeros; everything else as is. */
    static String format(Object value) {
        if (value instanceof Double d) {
            String text = String.format(Locale.ROOT, "%.6g", d);
            int exponent = text.indexOf('e');
            String mantissa = exponent < 0 ? text : text.substring(0, exponent);
            String suffix = exponent < 0 ? "" : text.substring(exponent);
            if (mantissa.contains(".")) {
                mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            return mantissa + suffix;
        }
        return String.valueOf(value);
    }
}
