package dev.mmict.ops.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.coordinator.sweep.AshaSettings;
import dev.mmict.coordinator.sweep.Objective;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.report.Plots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A sweep's results as files in its output directory: {@code results.md} (a table: trial,
 * parameters, objective at each rung, final objective, state, steps, worker-seconds, process
 * starts), {@code results.json} (the same and the sweep's totals), {@code objective.png} (the
 * objective against steps, one line per trial) and {@code best-config.yaml} (the best trial's
 * resolved run config, runnable with {@code mmict train --config}).
 *
 * <p>The best trial is the best final objective among the COMPLETED trials (those trained to the
 * end); only when none completed, among every trial that reported.
 */
public final class SweepResults {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SweepResults() {
    }

    /**
     * The files written.
     *
     * @param markdown results.md
     * @param json results.json
     * @param plot objective.png, or null when no trial reported yet
     * @param bestConfig best-config.yaml, or null when no trial reported yet
     */
    public record Written(Path markdown, Path json, Path plot, Path bestConfig) { }

    /**
     * One trial's line.
     *
     * @param trial the trial id
     * @param index its index
     * @param params searched key → value
     * @param rungMetrics rung → objective there
     * @param finalMetric the last objective reported, or null
     * @param state its status
     * @param steps steps done
     * @param workerSeconds wall-clock seconds of its processes, times the workers each trained on
     * @param starts processes started for it, over every run of the sweep (from the journal)
     * @param failure why it failed, or null
     */
    public record Row(String trial, int index, Map<String, Object> params, SortedMap<Long, Double> rungMetrics,
            Double finalMetric, TrialStatus state, long steps, double workerSeconds, int starts, String failure) { }

    /** The rows of {@code state}, in index order, with start counts from {@code events}. */
    public static List<Row> rows(SweepState state, List<TrialEvent> events) {
        Map<String, Integer> starts = new HashMap<>();
        for (TrialEvent e : events) {
            if (e.kind() == TrialEvent.Kind.STARTED) {
                starts.merge(e.trial(), 1, Integer::sum);
            }
        }
        return state.trials().stream().map(t -> new Row(t.id(), t.index(), t.params(), t.rungMetrics(), t.lastMetric(),
                t.status(), t.steps(), t.workerSeconds(), starts.getOrDefault(t.id(), 0), t.failure())).toList();
    }

    /** The best trial: best final objective among COMPLETED ones, else among all that reported (lowest index on ties). */
    public static Optional<TrialRecord> best(SweepState state, Objective objective) {
        Optional<TrialRecord> completed = new SweepState(state.fingerprint(),
                state.withStatus(TrialStatus.COMPLETED)).best(objective);
        return completed.isPresent() ? completed : state.best(objective);
    }

    /**
     * The markdown table, then a line naming the best trial.
     *
     * @param keys the searched keys, one column each
     * @param rungs the rung steps, one column each
     */
    public static String markdown(List<String> keys, List<Long> rungs, String metric, List<Row> rows,
            Optional<String> best) {
        List<String> header = new ArrayList<>();
        header.add("trial");
        header.addAll(keys);
        rungs.forEach(r -> header.add(metric + " @" + r));
        header.addAll(List.of("final " + metric, "state", "steps", "worker-s", "starts"));
        StringBuilder md = new StringBuilder();
        md.append(row(header));
        md.append(header.stream().map(h -> "---").collect(Collectors.joining(" | ", "| ", " |\n")));
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(best.isPresent() && best.get().equals(r.trial()) ? "**" + r.trial() + "**" : r.trial());
            keys.forEach(k -> cells.add(TrialTable.format(r.params().get(k))));
            rungs.forEach(rung -> cells.add(number(r.rungMetrics().get(rung))));
            cells.add(number(r.finalMetric()));
            cells.add(r.state().name().toLowerCase(Locale.ROOT));
            cells.add(Long.toString(r.steps()));
            cells.add(String.format(Locale.ROOT, "%.1f", r.workerSeconds()));
            cells.add(Integer.toString(r.starts()));
            md.append(row(cells));
        }
        md.append('\n');
        if (best.isPresent()) {
            Row b = rows.stream().filter(r -> r.trial().equals(best.get())).findFirst().orElseThrow();
            md.append("best: ").append(b.trial()).append(" (").append(metric).append(' ')
                    .append(number(b.finalMetric())).append(" at step ").append(b.steps())
                    .append("), its config in best-config.yaml\n");
        } else {
            md.append("best: none yet (no trial reported)\n");
        }
        for (Row r : rows) {
            if (r.failure() != null) {
                md.append(r.trial()).append(" failed: ").append(r.failure()).append('\n');
            }
        }
        return md.toString();
    }

    /** The objective's points of a trial: each rung result, then its last result if not at a rung. */
    static List<double[]> points(Row r) {
        List<double[]> points = new ArrayList<>();
        r.rungMetrics().forEach((step, m) -> points.add(new double[] {step, m}));
        if (r.finalMetric() != null && !r.rungMetrics().containsKey(r.steps())) {
            points.add(new double[] {r.steps(), r.finalMetric()});
        }
        return points;
    }

    /** Writes every result file of {@code state} into {@code outDir}. */
    public static Written write(SweepDefinition sweep, SweepState state, List<TrialEvent> events, Path outDir)
            throws IOException {
        List<Row> rows = rows(state, events);
        String metric = sweep.objective().metric();
        Optional<TrialRecord> best = best(state, sweep.objective());
        List<Long> rungs = sweep.asha().map(AshaSettings::rungs).orElse(List.of());

        Path md = outDir.resolve("results.md");
        Files.writeString(md, markdown(sweep.space().keys(), rungs, metric, rows, best.map(TrialRecord::id)),
                StandardCharsets.UTF_8);

        Path plot = null;
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        rows.forEach(r -> series.put(r.trial(), points(r)));
        if (series.values().stream().anyMatch(p -> !p.isEmpty())) {
            plot = outDir.resolve("objective.png");
            Plots.lines(plot, metric + " against steps, every trial", "step", metric, series);
        }

        Path bestConfig = null;
        if (best.isPresent()) {
            TrialRecord b = best.get();
            bestConfig = outDir.resolve("best-config.yaml");
            String yaml = new ConfigLoader().toYaml(sweep.trialConfigs().get(b.index()));
            Files.writeString(bestConfig, "# best trial " + b.id() + " of sweep " + sweep.source() + ": " + metric + " "
                    + number(b.lastMetric()) + " at step " + b.steps() + " (" + b.status().name().toLowerCase(Locale.ROOT)
                    + ")\n# run it with: mmict train --config " + bestConfig.getFileName() + "\n" + yaml,
                    StandardCharsets.UTF_8);
        }

        Path json = outDir.resolve("results.json");
        JSON.writeValue(json.toFile(), json(sweep, state, rows, best, new Written(md, json, plot, bestConfig)));
        return new Written(md, json, plot, bestConfig);
    }

    /** The content of results.json (also the sweep command's --report). */
    static Map<String, Object> json(SweepDefinition sweep, SweepState state, List<Row> rows,
            Optional<TrialRecord> best, Written files) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sweep", sweep.source());
        out.put("fingerprint", sweep.fingerprint());
        out.put("objective", Map.of("metric", sweep.objective().metric(),
                "mode", sweep.objective().mode().name().toLowerCase(Locale.ROOT)));
        out.put("rungs", sweep.asha().map(AshaSettings::rungs).orElse(List.of()));
        out.put("finished", state.finished());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (TrialStatus s : TrialStatus.values()) {
            counts.put(s.name().toLowerCase(Locale.ROOT), (long) state.withStatus(s).size());
        }
        out.put("counts", counts);
        double total = rows.stream().mapToDouble(Row::workerSeconds).sum();
        double stopped = rows.stream().filter(r -> r.state() == TrialStatus.STOPPED).mapToDouble(Row::workerSeconds)
                .sum();
        out.put("worker_seconds", total);
        out.put("worker_seconds_stopped", stopped);
        if (best.isPresent()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("trial", best.get().id());
            b.put("metric", best.get().lastMetric());
            b.put("steps", best.get().steps());
            b.put("params", best.get().params());
            b.put("config", files.bestConfig() == null ? null : files.bestConfig().toString());
            out.put("best", b);
        } else {
            out.put("best", null);
        }
        List<Map<String, Object>> trials = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("trial", r.trial());
            t.put("params", r.params());
            Map<String, Double> rungMetrics = new TreeMap<>((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            r.rungMetrics().forEach((k, v) -> rungMetrics.put(Long.toString(k), v));
            t.put("rung_metrics", rungMetrics);
            t.put("final_metric", r.finalMetric());
            t.put("state", r.state().name().toLowerCase(Locale.ROOT));
            t.put("steps", r.steps());
            t.put("worker_seconds", r.workerSeconds());
            t.put("starts", r.starts());
            t.put("failure", r.failure());
            trials.add(t);
        }
        out.put("trials", trials);
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("results_md", files.markdown().toString());
        paths.put("results_json", files.json().toString());
        paths.put("objective_png", files.plot() == null ? null : files.plot().toString());
        paths.put("best_config", files.bestConfig() == null ? null : files.bestConfig().toString());
        out.put("files", paths);
        return out;
    }

    /** A metric to 4 decimals, {@code nan} for NaN, {@code -} for none. */
    static String number(Double value) {
        if (value == null) {
            return "-";
        }
        if (value.isNaN()) {
            return "nan";
        }
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String row(List<String> cells) {
        return cells.stream().map(c -> c.replace("|", "\\|")).collect(Collectors.joining(" | ", "| ", " |\n"));
    }
}
