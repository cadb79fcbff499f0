package dev.mmict.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.metrics.CaptionMetrics;
import dev.mmict.hub.metrics.QaMetrics;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.synth.FastBindingDataset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates answers for a split's queries and scores them: caption metrics for captioning,
 * VQA soft accuracy for QA, and for fast binding the accuracy, the chance level (mean 1/N over
 * the dialogs' N distinct names) and the copy rate (answers that are one of the dialog's names).
 */
public final class Evaluator {

  /** What kind of output the task asks for, which picks the metrics. */
  public enum Kind { CAPTION, VQA, FASTBINDING }

  /**
   * One query's outcome.
   *
   * @param names the distinct names (targets) of the dialog's demonstrations
   * @param sharedColour for generated fast-binding dialogs, whether all objects share one colour
   *     (only shape tells them apart); null when unknown
   */
  public record Prediction(String id, String prediction, List<String> references, Set<String> names,
      Boolean sharedColour) {

    /** Whether the answer is one of the dialog's names (what {@code copy_rate} counts). */
    public boolean copied() {
      return names != null && names.contains(norm(prediction));
    }
  }

  /** Metrics by name, the number of evaluated queries, and the predictions. */
  public record Report(Map<String, Double> metrics, int samples, List<Prediction> predictions) { }

  private final MmictModel model;
  private final DialogBuilder builder;

  /** Evaluates {@code model}, building dialogs with {@code builder}. */
  public Evaluator(MmictModel model, DialogBuilder builder) {
    this.model = model;
    this.builder = builder;
  }

  /** Evaluates {@code split} of {@code dataset}. */
  public Report evaluate(NDManager manager, Dataset dataset, String split, Kind kind, EvalSettings s) {
    DemoSampler sampler = new DemoSampler(dataset, split);
    int[] order = sampler.epochOrder(s.seed(), 0);
    int n = Math.min(order.length, s.maxSamples());
    List<Prediction> predictions = new ArrayList<>(n);
    boolean demos = s.withDemos() && s.mode() != Mode.VANILLA_FT && s.shots() > 0;
    int trainSize = dataset.size(Dataset.TRAIN);
    for (int start = 0; start < n; start += s.batchSize()) {
      int end = Math.min(n, start + s.batchSize());
      List<Dialog> dialogs = new ArrayList<>();
      List<Sample> queries = new ArrayList<>();
      List<Set<String>> names = new ArrayList<>();
      List<Boolean> shared = new ArrayList<>();
      for (int i = start; i < end; i++) {
        Sample q = dataset.get(split, order[i]);
        // The dialog's demonstrations are drawn even when the model does not see them, so the
        // chance level and copy rate refer to the same dialogs in every mode.
        List<Sample> ds = new ArrayList<>();
        if (s.shots() > 0) {
          if (s.strategy() == DemoSampler.Strategy.SAME_GROUP) {
            for (int d : sampler.demonstrations(order[i], s.shots(), s.strategy(), s.seed(), 0, i)) {
              ds.add(dataset.get(split, d));
            }
          } else {
            SplittableRandom rng = new SplittableRandom(s.seed() * 1_000_003L + i);
            for (int d : rng.ints(0, trainSize).distinct().limit(Math.min(s.shots(), trainSize)).toArray()) {
              ds.add(dataset.get(Dataset.TRAIN, d));
            }
          }
        }
        Set<String> dialogNames = new HashSet<>();
        for (Sample d : ds) {
          dialogNames.add(d.target());
        }
        queries.add(q);
        names.add(dialogNames);
        shared.add(dataset instanceof FastBindingDataset fb
            ? fb.header(split, fb.dialogOf(split, order[i])).sharedColour() : null);
        dialogs.add(builder.dialog(q, demos ? ds : List.of(), false));
      }
      List<int[]> out;
      try (NDScope scope = new NDScope(); NDManager batch = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        SequencePlan plan = model.planner().forGeneration(dialogs, s.mode());
        NDArray features = model.encodeVisuals(batch, plan.visuals()); // [I, V, E]
        out = model.generate(plan, features, s.generation());
      }
      for (int j = 0; j < queries.size(); j++) {
        Sample q = queries.get(j);
        String text = builder.tokenizer().decode(out.get(j)).trim();
        predictions.add(new Prediction(q.id(), text, q.answers(), names.get(j), shared.get(j)));
      }
    }
    return new Report(score(kind, predictions), predictions.size(), predictions);
  }

  /** The metrics of a kind over predictions. */
  static Map<String, Double> score(Kind kind, List<Prediction> predictions) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (predictions.isEmpty()) {
      return metrics;
    }
    switch (kind) {
      case CAPTION -> {
        Map<String, List<String>> refs = new LinkedHashMap<>();
        Map<String, String> cands = new LinkedHashMap<>();
        for (Prediction p : predictions) {
          refs.put(p.id(), p.references());
          cands.put(p.id(), p.prediction());
        }
        metrics.putAll(CaptionMetrics.compute(refs, cands));
      }
      case VQA -> {
        Map<String, String> preds = new LinkedHashMap<>();
        Map<String, List<String>> answers = new LinkedHashMap<>();
        for (Prediction p : predictions) {
          preds.put(p.id(), p.prediction());
          answers.put(p.id(), p.references());
        }
        metrics.put("vqa_accuracy", QaMetrics.vqaAccuracy(preds, answers));
        metrics.put("accuracy", exactMatch(predictions));
      }
      case FASTBINDING -> {
        metrics.put("accuracy", exactMatch(predictions));
        double chance = 0;
        double copies = 0;
        for (Prediction p : predictions) {
          chance += p.names().isEmpty() ? 0 : 1.0 / p.names().size();
          copies += p.copied() ? 1 : 0;
        }
        metrics.put("chance", chance / predictions.size());
        metrics.put("copy_rate", copies / predictions.size());
        // The prototype's weakness: dialogs whose objects share a colour need shape to bind.
        List<Prediction> sameColour = predictions.stream().filter(p -> Boolean.TRUE.equals(p.sharedColour())).toList();
        List<Prediction> otherColours = predictions.stream().filter(p -> Boolean.FALSE.equals(p.sharedColour())).toList();
        if (!sameColour.isEmpty()) {
          metrics.put("accuracy_shared_colour", exactMatch(sameColour));
        }
        if (!otherColours.isEmpty()) {
          metrics.put("accuracy_distinct_colours", exactMatch(otherColours));
        }
      }
    }
    return metrics;
  }

  private static double exactMatch(List<Prediction> predictions) {
    double hits = 0;
    for (Prediction p : predictions) {
      String got = norm(p.prediction());
      hits += p.references().stream().anyMatch(r -> norm(r).equals(got)) ? 1 : 0;
    }
    return hits / predictions.size();
  }

  private static String norm(String s) {
    return s.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("[.!?]+$", "").trim();
  }
}
