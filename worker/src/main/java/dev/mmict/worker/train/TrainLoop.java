package dev.mmict.worker.train;

import ai.djl.ndarray.NDArray;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The single-process training loop: each step draws a batch from one of the task sources
 * (weighted round robin), gives every query K demonstrations, and runs one
 * {@link TrainingStep}. Each source keeps its own epochs over its queryable training samples,
 * in an order fixed by the seed. The cluster splits the same batches across workers; this loop
 * is what one worker does when it is alone.
 *
 * <p>The loop's whole state between steps is a {@link LoopState}; a run started from a saved
 * state, the parameters and the optimizer state of the same step continues bit for bit as the
 * uninterrupted run would have (see {@code docs/checkpoints.md}).
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

  /**
   * Where a resumed run starts: the loop state and the optimizer state saved after the same step
   * (the trainable parameters are restored into the model by the caller).
   *
   * @param loop the loop state; {@code loop.nextStep()} is the first step run
   * @param optimizerState AdamW moments as {@link AdamW#state()} names them
   * @param optimizerStep AdamW's update count
   */
  public record Resume(LoopState loop, Map<String, NDArray> optimizerState, long optimizerStep) { }

  /** Sees the loop's state after every step, e.g. to write a checkpoint when one is due. */
  @FunctionalInterface
  public interface StateHook {
    /**
     * Called after step {@code state.nextStep() - 1}, once its listener has run.
     *
     * @param optimizer the live optimizer (read its {@link AdamW#state()} now; it changes next step)
     */
    void afterStep(LoopState state, int totalSteps, AdamW optimizer) throws IOException;

    /** A hook that does nothing. */
    StateHook NONE = (state, total, optimizer) -> { };
  }

  /** Runs {@code settings.steps()} steps over the sources; each source says its modes. */
  public List<TrainingStep.Result> run(NDManager manager, List<TaskMix> sources, TrainSettings settings,
      StepListener listener) {
    return run(manager, sources, settings, listener, null, StateHook.NONE);
  }

  /**
   * Runs the steps from {@code resume.loop().nextStep()} (or 0 when {@code resume} is null) to
   * {@code settings.steps()}, calling {@code hook} after each.
   *
   * @return the results of the steps run by this call
   * @throws IllegalArgumentException when {@code resume} does not fit the sources or settings
   * @throws UncheckedIOException when the hook fails (e.g. a checkpoint cannot be written)
   */
  public List<TrainingStep.Result> run(NDManager manager, List<TaskMix> sources, TrainSettings settings,
      StepListener listener, Resume resume, StateHook hook) {
    return run(manager, sources, settings, listener, resume, hook, settings.steps());
  }

  /**
   * As {@link #run(NDManager, List, TrainSettings, StepListener, Resume, StateHook)}, but returns
   * once {@code stopAt} steps are done: the learning-rate schedule, the listener's and the hook's
   * total stay {@code settings.steps()}, so a run stopped there and resumed later takes exactly the
   * steps of a run that never stopped (a sweep trial trained rung by rung).
   *
   * @param stopAt the step count to stop at, {@code 1..settings.steps()}, at least the resumed step
   */
  public List<TrainingStep.Result> run(NDManager manager, List<TaskMix> sources, TrainSettings settings,
      StepListener listener, Resume resume, StateHook hook, int stopAt) {
    if (stopAt < 1 || stopAt > settings.steps()) {
      throw new IllegalArgumentException("cannot stop at step " + stopAt + ": the run has " + settings.steps()
          + " steps");
    }
    if (resume != null && resume.loop().nextStep() > stopAt) {
      throw new IllegalArgumentException("cannot stop at step " + stopAt + ": the run resumes at step "
          + resume.loop().nextStep() + ", already past it");
    }
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
    int first = 0;
    int skippedInARow = 0;
    if (resume != null) {
      LoopState loop = resume.loop();
      if (loop.sources().size() != sources.size()) {
        throw new IllegalArgumentException("cannot resume: the saved state has " + loop.sources().size()
            + " sources, this run has " + sources.size());
      }
      if (loop.nextStep() > settings.steps()) {
        throw new IllegalArgumentException("cannot resume at step " + loop.nextStep() + ": the run has only "
            + settings.steps() + " steps");
      }
      for (int i = 0; i < sources.size(); i++) {
        cursors.get(i).restore(loop.sources().get(i));
      }
      first = loop.nextStep();
      skippedInARow = loop.skippedInARow();
    }
    LrSchedule lrs = settings.schedule();
    List<TrainingStep.Result> results = new ArrayList<>();
    try (AdamW optimizer = new AdamW(manager, 0.9, 0.999, 1e-8, settings.weightDecay())) {
      if (resume != null) {
        optimizer.restore(resume.optimizerState(), resume.optimizerStep());
      }
      DialogContrast contrast = settings.contrastWeight() > 0 ? new DialogContrast(0.1) : null;
      TrainingStep step = new TrainingStep(model, optimizer, contrast, settings.contrastWeight(), settings.clipNorm())
          .interleaved(settings.interleaved());
      for (int s = first; s < stopAt; s++) {
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
        LoopState state = new LoopState(s + 1, cursors.stream().map(Cursor::state).toList(), skippedInARow);
        try {
          hook.afterStep(state, settings.steps(), optimizer);
        } catch (IOException e) {
          throw new UncheckedIOException("after step " + s + ": " + e.getMessage(), e);
        }
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

    LoopState.SourceCursor state() {
      return new LoopState.SourceCursor(mix.dataset().name(), epoch, position, drawn, batches);
    }

    /** Puts the cursor where {@code saved} says; the epoch's order is recomputed from the seed. */
    void restore(LoopState.SourceCursor saved) {
      if (!saved.dataset().equals(mix.dataset().name())) {
        throw new IllegalArgumentException("cannot resume: the saved state's source is " + saved.dataset()
            + ", this run's is " + mix.dataset().name());
      }
      epoch = saved.epoch();
      order = epoch < 0 ? null : sampler.epochOrder(seed, epoch);
      if (order != null && saved.position() > order.length) {
        throw new IllegalArgumentException("cannot resume " + saved.dataset() + ": position " + saved.position()
            + " is past the end of epoch " + epoch + " (" + order.length + " queries)");
      }
      position = saved.position();
      drawn = saved.drawn();
      batches = saved.batches();
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
