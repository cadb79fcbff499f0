package dev.mmict.worker.train;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.model.DialogContrast;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.optim.AdamW;
import dev.mmict.hub.optim.LrSchedule;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * The single-process training loop: each step draws a batch from one of the task sources
 * (weighted round robin), gives every query K demonstrations, and runs one
 * {@link TrainingStep}. Each source keeps its own epochs over its queryable training samples,
 * in an order fixed by the seed. The cluster splits the same batches across workers; this loop
 * is what one worker does when it is alone.
 */
public final class TrainLoop {
  /** Consecutive skipped updates (non-finite gradients) after which the run stops. */
  static final int MAX_SKIPPED_IN_A_ROW = 10;

  private final MmictModel model;
  private final DialogBuilder builder;

  /** A loop over {@code model}; callers choose what trains with {@code model.setTrainable}. */
  public TrainLoop(MmictModel model, DialogBuilder builder) {
    this.model = model;
    this.builder = builder;
  }

  /** Runs {@code settings.steps()} steps over the sources; each source says its modes. */
  public List<TrainingStep.Result> run(NDManager manager, List<TaskMix> sources, TrainSettings settings,
      StepListener listener) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no training source");
    }
    List<Cursor> cursors = new ArrayList<>();
    List<Integer> schedule = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      cursors.add(new Cursor(sources.get(i), settings.seed() + 7919L * i));
      for (int w = 0; w < sources.get(i).weight(); w++) {
        schedule.add(i);
      }
    }
    LrSchedule lrs = new LrSchedule(settings.lr(), 0, 0, settings.warmupSteps(), settings.steps());
    List<TrainingStep.Result> results = new ArrayList<>();
    try (AdamW optimizer = new AdamW(manager, 0.9, 0.999, 1e-8, settings.weightDecay())) {
      DialogContrast contrast = settings.contrastWeight() > 0 ? new DialogContrast(0.1) : null;
      TrainingStep step = new TrainingStep(model, optimizer, contrast, settings.contrastWeight(), settings.clipNorm())
          .interleaved(settings.interleaved());
      int skippedInARow = 0;
      for (int s = 0; s < settings.steps(); s++) {
        Cursor c = cursors.get(schedule.get(s % schedule.size()));
        Mode mode = c.nextMode();
        List<Dialog> dialogs = new ArrayList<>(settings.batchSize());
        boolean[][] positives = new boolean[settings.batchSize()][];
        for (int b = 0; b < settings.batchSize(); b++) {
          Cursor.Next q = c.next();
          int[] demoIdx = mode == Mode.VANILLA_FT ? new int[0]
              : c.sampler.demonstrations(q.index(), c.mix.shots(), c.mix.strategy(), c.seed, q.epoch(), q.position());
          Dataset ds = c.mix.dataset();
          Sample query = ds.get(Dataset.TRAIN, q.index());
          List<Sample> demos = new ArrayList<>(demoIdx.length);
          for (int d : demoIdx) {
            demos.add(ds.get(Dataset.TRAIN, d));
          }
          dialogs.add(builder.dialog(query, demos, true));
          positives[b] = DialogBuilder.positives(query, demos);
        }
        double lr = lrs.at(s);
        TrainingStep.Result r = step.run(manager, dialogs, mode, positives, lr);
        skippedInARow = r.skipped() ? skippedInARow + 1 : 0;
        if (skippedInARow > MAX_SKIPPED_IN_A_ROW) {
          throw new IllegalStateException(skippedInARow + " steps in a row had non-finite gradients (last at step "
              + s + "): training diverged; lower the learning rate");
        }
        results.add(r);
        listener.onStep(s, settings.steps(), lr, r);
      }
    }
    return results;
  }

  /** A source's position: its epoch, its place in the epoch's query order, its next mode. */
  private static final class Cursor {
    record Next(int index, long epoch, long position) { }

    final TaskMix mix;
    final DemoSampler sampler;
    final long seed;
    private int[] order;
    private int position;
    private long epoch = -1;
    private long drawn;
    private int batches;

    Cursor(TaskMix mix, long seed) {
      this.mix = mix;
      this.sampler = new DemoSampler(mix.dataset(), Dataset.TRAIN);
      this.seed = seed;
    }

    Mode nextMode() {
      return mix.modes().get(batches++ % mix.modes().size());
    }

    Next next() {
      if (order == null || position == order.length) {
        epoch++;
        order = sampler.epochOrder(seed, epoch);
        position = 0;
        if (order.length == 0) {
          throw new IllegalStateException(mix.dataset().name() + ": the training split has no queryable sample");
        }
      }
      return new Next(order[position++], epoch, drawn++);
    }
  }
}
