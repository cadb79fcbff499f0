package dev.mmict.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher-forced LM loss of a model on a fixed, seeded set of validation queries, computed
 * without gradients: the cheap held-out metric by which checkpoint retention keeps the best
 * checkpoint, which every evaluation row of a run report carries, and which a sweep's ASHA judges
 * trials by by default.
 *
 * <p>The queries are the first {@code samples} of the validation split's seeded query order; each
 * gets its demonstrations as in training (same mode, shots and strategy; RANDOM draws them from the
 * training split, SAME_GROUP from the query's own group in the validation split), drawn from
 * generators of its own seeded by (seed, position), so the value is a function of the parameters
 * alone. Nothing here draws from the training loop's streams, touches gradients or changes the
 * parameters, so computing it leaves the training trajectory bit for bit as it was.
 *
 * <p>The value is the mean over queries of each query's mean token loss ({@link
 * MmictModel#lmLoss}'s reduction, weighted by batch size), so it does not depend on the batching.
 */
public final class ValidationLoss {
  /** The metric's name in checkpoint manifests. */
  public static final String METRIC = "val_loss";

  private static final Logger LOG = LoggerFactory.getLogger(ValidationLoss.class);
  /** Keeps the validation draws apart from every other stream derived from the run's seed. */
  private static final long STREAM = 0x7A11_DA7EL;

  /**
   * One validation query: its index in the validation split and its demonstrations' indices in
   * {@code demoSplit}. Indices, not samples: the pixels are materialised per batch, so a real
   * dataset's validation set does not stay in memory between checkpoints.
   */
  private record Query(int index, String demoSplit, int[] demos) { }

  private final MmictModel model;
  private final DialogBuilder builder;
  private final Dataset dataset;
  private final List<Query> queries;
  private final Mode mode;
  private final int batchSize;

  private ValidationLoss(MmictModel model, DialogBuilder builder, Dataset dataset, List<Query> queries, Mode mode,
      int batchSize) {
    this.model = model;
    this.builder = builder;
    this.dataset = dataset;
    this.queries = queries;
    this.mode = mode;
    this.batchSize = batchSize;
  }

  /**
   * The validation loss of {@code model} on up to {@code samples} queries of the validation split
   * of {@code source}'s dataset, in the source's first mode; empty (with a warning saying why) when
   * {@code samples} is 0, the dataset has no validation split, or that split has no query.
   *
   * @param batchSize dialogs per forward pass
   * @param seed the run's seed; the queries and demonstrations derive from it
   */
  public static Optional<ValidationLoss> of(MmictModel model, DialogBuilder builder, TaskMix source, int samples,
      int batchSize, long seed) {
    return of(model, builder, source, samples, batchSize, seed,
        "at checkpoints, so retention keeps only the newest ones");
  }

  /**
   * As {@link #of(MmictModel, DialogBuilder, TaskMix, int, int, long)}, for another use of the
   * value: {@code missing} completes the warning logged when none can be computed ("no val_loss
   * is computed " + missing), saying what goes without it.
   */
  public static Optional<ValidationLoss> of(MmictModel model, DialogBuilder builder, TaskMix source, int samples,
      int batchSize, long seed, String missing) {
    if (samples < 0 || batchSize < 1) {
      throw new IllegalArgumentException("validation needs samples >= 0 and batchSize >= 1, got " + samples
          + " and " + batchSize);
    }
    if (samples == 0) {
      return Optional.empty();
    }
    Dataset ds = source.dataset();
    if (!ds.splits().contains(Dataset.VAL)) {
      LOG.warn("{} has no '{}' split (splits {}): no {} is computed {}", ds.name(), Dataset.VAL, ds.splits(),
          METRIC, missing);
      return Optional.empty();
    }
    DemoSampler valSampler = new DemoSampler(ds, Dataset.VAL);
    long valSeed = Seeds.mix(seed, STREAM);
    int[] order = valSampler.epochOrder(valSeed, 0);
    if (order.length == 0) {
      LOG.warn("{}/{} has no queryable sample: no {} is computed {}", ds.name(), Dataset.VAL, METRIC, missing);
      return Optional.empty();
    }
    int n = Math.min(samples, order.length);
    if (n < samples) {
      LOG.info("{}/{} has {} queryable samples: {} is computed on all of them, not {}", ds.name(), Dataset.VAL,
          order.length, METRIC, samples);
    }
    Mode mode = source.modes().get(0);
    int trainSize = ds.size(Dataset.TRAIN);
    List<Query> queries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int[] demos = new int[0];
      String demoSplit = Dataset.TRAIN;
      if (mode != Mode.VANILLA_FT && source.shots() > 0) {
        SplittableRandom rng = Seeds.random(valSeed, i);
        if (source.strategy() == DemoSampler.Strategy.SAME_GROUP) {
          demos = valSampler.demonstrations(order[i], source.shots(), source.strategy(), rng);
          demoSplit = Dataset.VAL;
        } else {
          demos = rng.ints(0, trainSize).distinct().limit(Math.min(source.shots(), trainSize)).toArray();
        }
      }
      queries.add(new Query(order[i], demoSplit, demos));
    }
    return Optional.of(new ValidationLoss(model, builder, ds, List.copyOf(queries), mode, batchSize));
  }

  /** How many validation queries the loss is computed on. */
  public int samples() {
    return queries.size();
  }

  /** The validation dialogs {@code from..to} (exclusive), targets ending with EOS as in training. */
  List<Dialog> dialogs(int from, int to) {
    List<Dialog> out = new ArrayList<>(to - from);
    for (Query q : queries.subList(from, to)) {
      List<Sample> demos = new ArrayList<>(q.demos().length);
      for (int d : q.demos()) {
        demos.add(dataset.get(q.demoSplit(), d));
      }
      out.add(builder.dialog(dataset.get(Dataset.VAL, q.index()), demos, true));
    }
    return out;
  }

  /**
   * The loss now: a forward pass over every validation dialog without a gradient collector (so
   * nothing is recorded for a backward pass and no gradient changes).
   */
  public double compute(NDManager manager) {
    double sum = 0;
    for (int start = 0; start < queries.size(); start += batchSize) {
      List<Dialog> batch = dialogs(start, Math.min(queries.size(), start + batchSize));
      try (NDScope scope = new NDScope();
          NDManager pass = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        SequencePlan plan = model.planner().forTraining(batch, mode);
        NDArray features = model.encodeVisuals(pass, plan.visuals()); // [I, V, E]
        MmictModel.Outputs out = model.forward(plan, features, true);
        NDArray loss = model.lmLoss(plan, out); // []
        sum += (double) loss.getFloat() * batch.size();
      }
    }
    return sum / queries.size();
  }

  @Override
  public String toString() {
    return METRIC + " on " + queries.size() + " validation queries (" + mode.label() + ", batches of "
        + batchSize + ")";
  }
}
