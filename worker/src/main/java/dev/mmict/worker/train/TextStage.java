package dev.mmict.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mmict.hub.lm.OptLM;
import dev.mmict.hub.lm.Reduction;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.optim.AdamW;
import dev.mmict.hub.optim.LrSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The text-only first stage of backbone pretraining: the LLM alone learns to continue
 * {@link InductionText} sequences, i.e. to copy by content, before the multi-modal stage asks
 * it to copy names out of dialogs. Only the LLM's parameters train here.
 *
 * <p>Why a stage of its own: a text sequence costs a fraction of a multi-modal dialog (no vision
 * encoder, no M-Hub), so the LLM can see many times the tokens that the multi-modal budget
 * allows, and content-based copying only forms after many tokens (see docs/demo.md).
 */
public final class TextStage {

  /** The LLM's parameters: the only ones this stage trains. */
  public static final Predicate<String> LLM = n -> n.startsWith("opt_model.");

  /**
   * How the stage trains.
   *
   * @param steps optimizer steps (0: the stage is skipped)
   * @param batchSize sequences per step
   * @param lr peak learning rate (linear warm-up over {@code warmupSteps}, then cosine to 0)
   * @param warmupSteps warm-up steps
   * @param weightDecay AdamW decoupled decay on matrices
   * @param gradClip global gradient-norm clip (0: off)
   * @param seed seeds the sequences
   */
  public record Settings(int steps, int batchSize, double lr, int warmupSteps, double weightDecay, double gradClip,
      long seed) {
    /** Checks the values. */
    public Settings {
      if (steps < 0 || batchSize < 1 || !(lr > 0) || warmupSteps < 0 || weightDecay < 0 || gradClip < 0) {
        throw new IllegalArgumentException("invalid text-stage settings: " + steps + " steps, batch " + batchSize
            + ", lr " + lr + ", warm-up " + warmupSteps + ", decay " + weightDecay + ", clip " + gradClip);
      }
    }
  }

  /** One step's outcome: the loss and the share of labelled pieces predicted right (argmax). */
  public record StepResult(double loss, double copyAccuracy, int targets, double gradNorm) { }

  /** Receives every step's result. */
  @FunctionalInterface
  public interface Listener {
    /** Called after step {@code step} (0-based) of {@code total}. */
    void onStep(int step, int total, double lr, StepResult result);
  }

  private final MmictModel model;
  private final InductionText text;

  public TextStage(MmictModel model, InductionText text) {
    this.model = model;
    this.text = text;
  }

  /**
   * Trains the LLM for {@code settings.steps()} steps and leaves every parameter trainable again
   * afterwards (the multi-modal stage trains them all).
   */
  public List<StepResult> run(NDManager manager, Settings settings, Listener listener) {
    List<StepResult> results = new ArrayList<>();
    if (settings.steps() == 0) {
      return results;
    }
    Random random = new Random(settings.seed());
    LrSchedule schedule = new LrSchedule(settings.lr(), 0, 0, settings.warmupSteps(), settings.steps());
    Params params = model.params();
    model.setTrainable(LLM);
    try (AdamW optimizer = new AdamW(manager, 0.9, 0.999, 1e-8, settings.weightDecay())) {
      for (int step = 0; step < settings.steps(); step++) {
        double lr = schedule.at(step);
        StepResult r = step(manager, params, optimizer, batch(random, settings.batchSize()), lr, settings.gradClip());
        results.add(r);
        listener.onStep(step, settings.steps(), lr, r);
      }
    } finally {
      model.setTrainable(n -> true);
    }
    return results;
  }

  /**
   * Teacher-forced copy accuracy of the LLM on {@code sequences} fresh sequences drawn from
   * {@code seed} (no gradient, no parameter change): the share of labelled pieces whose argmax
   * prediction is right.
   */
  public double copyAccuracy(NDManager manager, int sequences, int batchSize, long seed) {
    Random random = new Random(seed);
    long hits = 0;
    long total = 0;
    for (int done = 0; done < sequences; done += batchSize) {
      List<InductionText.Sequence> batch = batch(random, Math.min(batchSize, sequences - done));
      try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        Padded p = Padded.of(m, batch);
        NDArray logits = model.llm().forward(model.llm().embedTokens(p.ids), p.mask); // [B, N, V]
        long[] predicted = logits.argMax(-1).toLongArray(); // [B * N]
        hits += p.hits(predicted);
        total += p.targets;
      }
    }
    return total == 0 ? Double.NaN : (double) hits / total;
  }

  private List<InductionText.Sequence> batch(Random random, int size) {
    List<InductionText.Sequence> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(text.next(random));
    }
    return batch;
  }

  private StepResult step(NDManager manager, Params params, AdamW optimizer, List<InductionText.Sequence> batch,
      double lr, double clip) {
    try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      Padded p = Padded.of(m, batch);
      double loss;
      long[] predicted;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = model.llm().forward(model.llm().embedTokens(p.ids), p.mask); // [B, N, V]
        NDArray l = OptLM.nextTokenLoss(logits, p.labels, Reduction.TOKEN_MEAN); // []
        loss = l.getFloat();
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException("non-finite loss " + loss + " in the text stage: lower pretrain.textLr");
        }
        gc.backward(l);
        predicted = logits.argMax(-1).toLongArray(); // [B * N]
      }
      GradientUpdate.Outcome update = GradientUpdate.apply(params, optimizer, lr, clip);
      return new StepResult(loss, (double) p.hits(predicted) / p.targets, p.targets, update.norm());
    }
  }

  /** A batch padded on the right: ids [B, N], labels [B, N], mask [B, N]. */
  private record Padded(NDArray ids, NDArray labels, NDArray mask, long[] labelValues, int width, int targets) {
    static Padded of(NDManager m, List<InductionText.Sequence> batch) {
      int b = batch.size();
      int n = batch.stream().mapToInt(s -> s.ids().length).max().orElse(1);
      long[] ids = new long[b * n];
      long[] labels = new long[b * n];
      long[] mask = new long[b * n];
      Arrays.fill(labels, OptLM.IGNORE_INDEX);
      int targets = 0;
      for (int i = 0; i < b; i++) {
        InductionText.Sequence s = batch.get(i);
        System.arraycopy(s.ids(), 0, ids, i * n, s.ids().length);
        System.arraycopy(s.labels(), 0, labels, i * n, s.labels().length);
        Arrays.fill(mask, i * n, i * n + s.ids().length, 1);
        targets += s.targets();
      }
      Shape shape = new Shape(b, n);
      return new Padded(m.create(ids, shape), m.create(labels, shape), m.create(mask, shape), labels, n, targets);
    }

    /** Labelled positions whose prediction one position earlier is right. */
    int hits(long[] predicted) {
      int hits = 0;
      for (int i = 0; i < labelValues.length; i++) {
        if (labelValues[i] != OptLM.IGNORE_INDEX && i % width > 0 && predicted[i - 1] == labelValues[i]) {
          hits++;
        }
      }
      return hits;
    }
  }
}
