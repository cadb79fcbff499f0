package dev.mmict.coordinator.plan;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import java.util.ArrayList;
import java.util.List;

/**
 * Derives the global batch of any step from (seed, epoch, step) alone, so every coordinator
 * instance (a standby after failover included) plans the same step identically, whoever trains
 * it.
 *
 * <p><b>Epochs.</b> An epoch is one pass over the training split's queryable samples in the
 * order {@link DemoSampler#epochOrder(long, long)} gives for (seed, epoch). Steps never straddle
 * epochs: with N queryable samples and batch size B an epoch has ceil(N / B) steps, and its last
 * step takes the remaining N mod B samples (a short batch, cut into micro-batches of m with a
 * short last one). So step s belongs to epoch s / ceil(N / B) in closed form, and every sample is
 * trained exactly once per epoch. The cost: the last step of an epoch averages its gradient over
 * fewer samples (noisier, but unbiased). Wrapping into the next epoch instead would keep B fixed
 * but mix two epochs' demonstration draws in one step and tie an epoch's audit to its neighbour.
 *
 * <p><b>Demonstrations.</b> For each query {@link DemoSampler#demonstrations(int, int,
 * DemoSampler.Strategy, long, long, long)} with (seed, epoch, step): its own stream, independent
 * of the micro-batch size and of who trains it.
 *
 * <p>Thread-safe: the only state is a cache of the latest epoch's order, swapped atomically.
 */
public final class StepPlanner {

  private final DemoSampler sampler;
  private final RunPlan plan;
  private final int queryableCount;
  private final long stepsPerEpoch;
  private volatile EpochOrder cached;

  private record EpochOrder(long epoch, int[] order) {}

  /** A planner over {@code split} of {@code dataset}. */
  public static StepPlanner forSplit(Dataset dataset, String split, RunPlan plan) {
    int size = dataset.size(split);
    if (plan.strategy() == DemoSampler.Strategy.RANDOM && plan.shots() > size - 1) {
      throw new IllegalArgumentException(
          dataset.name() + "/" + split + " has " + size + " samples: cannot draw " + plan.shots()
              + " random demonstrations other than the query");
    }
    return new StepPlanner(new DemoSampler(dataset, split), plan);
  }

  /** A planner drawing epoch orders and demonstrations from {@code sampler}. */
  public StepPlanner(DemoSampler sampler, RunPlan plan) {
    this.sampler = sampler;
    this.plan = plan;
    this.queryableCount = sampler.queryableIndices().length;
    if (queryableCount == 0) {
      throw new IllegalArgumentException("the training split has no queryable sample to plan");
    }
    this.stepsPerEpoch = (queryableCount + (long) plan.globalBatchSize() - 1) / plan.globalBatchSize();
  }

  /** The plan this planner follows. */
  public RunPlan runPlan() {
    return plan;
  }

  /** N, the queryable samples per epoch. */
  public int queryableCount() {
    return queryableCount;
  }

  /** The queryable samples of the split, ascending: what every epoch must train exactly once. */
  public int[] queryableIndices() {
    return sampler.queryableIndices();
  }

  /** ceil(N / B). */
  public long stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** The epoch step {@code step} belongs to. */
  public long epochOf(long step) {
    checkStep(step);
    return step / stepsPerEpoch;
  }

  /** The data cursor before {@code step}: where its first query sits in its epoch's order. */
  public DataCursor cursorBefore(long step) {
    checkStep(step);
    return new DataCursor(step / stepsPerEpoch, (int) (step % stepsPerEpoch) * plan.globalBatchSize());
  }

  /** The data cursor after {@code step}: the next epoch's start after an epoch's last step. */
  public DataCursor cursorAfter(long step) {
    return cursorBefore(step + 1);
  }

  /**
   * The step that starts at {@code cursor}. A cursor restored from a checkpoint must sit on a
   * step boundary of this plan; otherwise the checkpoint came from a run with another batch
   * size or dataset, and this says so instead of silently skipping or repeating samples.
   */
  public long stepAt(DataCursor cursor) {
    if (cursor.position() >= queryableCount || cursor.position() % plan.globalBatchSize() != 0) {
      throw new IllegalArgumentException(
          "data cursor " + cursor + " is not a step boundary of this plan (" + queryableCount
              + " queryable samples, global batch size " + plan.globalBatchSize() + ")");
    }
    return Math.addExact(
        Math.multiplyExact(cursor.epoch(), stepsPerEpoch), cursor.position() / plan.globalBatchSize());
  }

  /** The global batch of {@code step}: its micro-batches and every query's demonstrations. */
  public GlobalBatch plan(long step) {
    DataCursor start = cursorBefore(step);
    int[] order = epochOrder(start.epoch());
    int end = Math.min(start.position() + plan.globalBatchSize(), queryableCount);
    List<MicroBatch> microBatches = new ArrayList<>();
    for (int from = start.position(); from < end; from += plan.microBatchSize()) {
      int to = Math.min(from + plan.microBatchSize(), end);
      List<PlannedQuery> queries = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        int sample = order[i];
        int[] demos =
            sampler.demonstrations(
                sample, plan.shots(), plan.strategy(), plan.seed(), start.epoch(), step);
        queries.add(new PlannedQuery(sample, demos));
      }
      microBatches.add(new MicroBatch(microBatches.size(), queries));
    }
    return new GlobalBatch(step, start.epoch(), start, microBatches);
  }

  private int[] epochOrder(long epoch) {
    EpochOrder current = cached;
    if (current == null || current.epoch() != epoch) {
      current = new EpochOrder(epoch, sampler.epochOrder(plan.seed(), epoch));
      if (current.order().length != queryableCount) {
        throw new IllegalStateException(
            "epoch " + epoch + " orders " + current.order().length + " samples, expected "
                + queryableCount + ": the dataset changed under the planner");
      }
      cached = current;
    }
    return current.order();
  }

  private static void checkStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
  }

  @Override
  public String toString() {
    return "StepPlanner[" + plan + ", " + queryableCount + " queries, " + stepsPerEpoch
        + " steps/epoch]";
  }
}
