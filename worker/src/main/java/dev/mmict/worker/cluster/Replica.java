package dev.mmict.worker.cluster;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.optim.AdamW;
import dev.mmict.protocol.v1.MicroBatch;
import dev.mmict.protocol.v1.QueryAssignment;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.worker.exchange.FixedPoint;
import dev.mmict.worker.exchange.MicroBatchGradientSum;
import dev.mmict.worker.train.DialogBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's model replica and its optimizer, trained step by step from coordinator plans: it
 * computes one gradient per micro-batch of its plan ({@link #contribute}), and once the
 * contributions of all workers are summed it applies the same update as every other replica
 * ({@link #apply}). The step's exchange happens between the two calls.
 *
 * <p><b>Determinism.</b> In deterministic mode each micro-batch gradient is encoded as 64-bit
 * fixed point on its own and the encodings are summed exactly, so the reduced gradient (and the
 * update) does not depend on which worker trained which micro-batch, nor on how many workers
 * there were. Clipping is computed from the reduced mean, identically everywhere. The vision
 * encoder is batch-invariant ({@link MmictModel#encodeVisuals}), so a micro-batch's features do
 * not depend on which visuals its replica's feature cache had met before.
 *
 * <p><b>Undo.</b> The replica keeps its state from before its latest update: a plan for the step
 * it already applied (the attempt was aborted after this replica's exchange finished) first puts
 * that state back, so every replica again holds the state after the previous step.
 *
 * <p>Not thread-safe: one step at a time.
 */
public final class Replica implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

  /**
   * What this replica contributes to a step's exchange.
   *
   * @param fixed the exact sum of its micro-batch gradients (deterministic mode), else null
   * @param floats the FP32 sum of its micro-batch gradients (otherwise), else null
   * @param lossSum sum over its queries of the micro-batch LM loss
   * @param samples queries it trained
   * @param computeMillis time spent in forward and backward
   */
  public record Contribution(long[] fixed, float[] floats, double lossSum, int samples, long computeMillis) { }

  /**
   * How a replica trains.
   *
   * @param mode the sequence format
   * @param maxTextTokens longest text kept per demonstration, prompt or target
   * @param clipNorm the reduced mean gradient is scaled down to this global L2 norm (0: never)
   * @param weightDecay AdamW decoupled weight decay
   * @param deterministic exchange 64-bit fixed point per micro-batch (bitwise reproducible)
   *     instead of FP32
   */
  public record Settings(Mode mode, int maxTextTokens, double clipNorm, double weightDecay, boolean deterministic) { }

  private record Saved(float[] values, Map<String, float[]> optimizerState, Map<String, ai.djl.ndarray.types.Shape> shapes,
      long optimizerStep) { }

  private final NDManager manager;
  private final MmictModel model;
  private final DialogBuilder builder;
  private final Dataset dataset;
  private final Settings settings;
  private final ParameterVector vector;
  private final FixedPoint format = FixedPoint.DEFAULT;
  private AdamW optimizer;
  private long appliedStep = -1;
  private Saved beforeApplied;
  // The trainable values as the latest checksum read them (null: unknown, read them again). Only
  // an update, a restore or an install changes the parameters, and each of those resets it.
  private float[] valuesNow;
  // False only while every gradient is known to be zero (after they were taken); a backward pass
  // that may have been cut short sets it, so an interrupted attempt leaves nothing for the next.
  private boolean gradientsDirty = true;

  /**
   * A replica of {@code model} (its trainable set already chosen) reading samples of {@code
   * dataset}'s training split.
   */
  public Replica(NDManager manager, MmictModel model, DialogBuilder builder, Dataset dataset, Settings settings) {
    this.manager = manager;
    this.model = model;
    this.builder = builder;
    this.dataset = dataset;
    this.settings = settings;
    this.vector = new ParameterVector(model.params());
    this.optimizer = newOptimizer();
  }

  /** The last step whose update this replica applied (-1: none). */
  public long appliedStep() {
    return appliedStep;
  }

  /** Number of trainable elements (the exchanged vector's length). */
  public int length() {
    return vector.length();
  }

  /** The trainable parameters' names, in the order {@link ReplicaState#parameters()} lists them. */
  public List<String> parameterNames() {
    return vector.names();
  }

  /** sha256 of the trainable parameters as they are now. */
  public byte[] parameterSha256() {
    return readParameters();
  }

  /**
   * Forward and backward on each micro-batch of {@code plan}, one gradient per micro-batch,
   * summed. A plan for the step this replica applied last first undoes that update.
   *
   * @throws IllegalStateException when the replica does not hold the state after step - 1
   */
  public Contribution contribute(StepPlan plan) {
    long step = plan.getStep();
    if (appliedStep == step && beforeApplied != null) {
      LOG.info("step {} is planned again (attempt {}): undoing this replica's update of its aborted attempt",
          step, plan.getAttempt());
      restore(beforeApplied);
      appliedStep = step - 1;
    }
    if (appliedStep != step - 1) {
      throw new IllegalStateException("this replica holds the state after step " + appliedStep
          + " but the plan for step " + step + " needs the state after step " + (step - 1)
          + " (a joining worker installs a peer's state first)");
    }
    long start = System.nanoTime();
    if (gradientsDirty) {
      vector.zeroGradients(); // an earlier attempt was cut short after a backward pass
      gradientsDirty = false;
    }
    MicroBatchGradientSum fixed = settings.deterministic() ? new MicroBatchGradientSum(format, vector.length()) : null;
    float[] floats = settings.deterministic() ? null : new float[vector.length()];
    double lossSum = 0;
    int samples = 0;
    for (MicroBatch mb : plan.getMicroBatchesList()) {
      List<Dialog> dialogs = new ArrayList<>(mb.getQueriesCount());
      for (QueryAssignment q : mb.getQueriesList()) {
        Sample query = dataset.get(Dataset.TRAIN, q.getSampleIndex());
        List<Sample> demos = new ArrayList<>(q.getDemonstrationIndicesCount());
        for (int d : q.getDemonstrationIndicesList()) {
          demos.add(dataset.get(Dataset.TRAIN, d));
        }
        dialogs.add(builder.dialog(query, demos, true));
      }
      long t0 = System.nanoTime();
      gradientsDirty = true;
      double loss = backward(dialogs, step, mb.getMicroBatchId());
      long t1 = System.nanoTime();
      float[] gradient = vector.takeGradients();
      gradientsDirty = false;
      LOG.debug("step {} micro-batch {}: forward and backward {} us, gradients taken in {} us", step,
          mb.getMicroBatchId(), (t1 - t0) / 1000, (System.nanoTime() - t1) / 1000);
      if (fixed != null) {
        fixed.add(gradient);
      } else {
        for (int i = 0; i < gradient.length; i++) {
          floats[i] += gradient[i];
        }
      }
      lossSum += loss * dialogs.size();
      samples += dialogs.size();
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Contribution(fixed == null ? null : fixed.buffer(), floats, lossSum, samples, millis);
  }

  /**
   * Applies the step's update from the all-reduced {@code reduced} contribution (the sum over
   * every worker), keeping the state from before it for an undo.
   *
   * @return sha256 of the trainable parameters after the update
   */
  public byte[] apply(StepPlan plan, Contribution reduced) {
    int total = plan.getTotalMicroBatches();
    float[] mean;
    if (reduced.fixed() != null) {
      mean = format.decode(reduced.fixed(), total);
    } else {
      mean = new float[reduced.floats().length];
      for (int i = 0; i < mean.length; i++) {
        mean[i] = reduced.floats()[i] / total;
      }
    }
    double norm = ParameterVector.norm(mean);
    if (!Double.isFinite(norm)) {
      throw new IllegalStateException("step " + plan.getStep() + ": the reduced gradient is not finite");
    }
    if (settings.clipNorm() > 0 && norm > settings.clipNorm()) {
      float scale = (float) (settings.clipNorm() / norm);
      for (int i = 0; i < mean.length; i++) {
        mean[i] *= scale;
      }
    }
    long t0 = System.nanoTime();
    beforeApplied = save();
    long t1 = System.nanoTime();
    try (NDManager step = manager.newSubManager()) {
      optimizer.update(model.params(), step.create(mean), plan.getLearningRate()); // [N], the vector's layout
    }
    long t2 = System.nanoTime();
    valuesNow = null;
    appliedStep = plan.getStep();
    byte[] sha = readParameters();
    LOG.debug("step {}: pre-update copy {} us, update {} us, checksum {} us", plan.getStep(), (t1 - t0) / 1000,
        (t2 - t1) / 1000, (System.nanoTime() - t2) / 1000);
    return sha;
  }

  /**
   * The replica's state after {@code afterStep}, for a joining peer. A replica that applied the
   * next step in an attempt that was then aborted first undoes that update (as the re-plan would).
   *
   * @throws IllegalStateException when the replica holds another step's state
   */
  public ReplicaState exportState(long afterStep) {
    if (appliedStep == afterStep + 1 && beforeApplied != null) {
      LOG.info("undoing the update of aborted step {} before exporting the state after step {}", appliedStep,
          afterStep);
      restore(beforeApplied);
      appliedStep = afterStep;
      beforeApplied = null;
    }
    if (appliedStep != afterStep) {
      throw new IllegalStateException("asked for the state after step " + afterStep
          + " but this replica holds the state after step " + appliedStep);
    }
    List<ReplicaState.Tensor> moments = new ArrayList<>();
    optimizer.state().forEach((k, v) -> moments.add(new ReplicaState.Tensor(k, v.getShape().getShape(), v.toFloatArray())));
    return new ReplicaState(appliedStep, vector.tensors(), moments, optimizer.step());
  }

  /**
   * Replaces this replica's trainable parameters and optimizer state with {@code state} (a
   * peer's, after {@code state.afterStep()}); the next plan it accepts is for the step after.
   *
   * @return sha256 of the installed trainable parameters
   * @throws IllegalArgumentException when the state's parameters do not fit this model
   */
  public byte[] installState(ReplicaState state) {
    valuesNow = null;
    vector.assign(state.parameters());
    optimizer.close();
    optimizer = newOptimizer();
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> moments = new LinkedHashMap<>();
      for (ReplicaState.Tensor t : state.optimizer()) {
        moments.put(t.name(), tmp.create(t.values(), new ai.djl.ndarray.types.Shape(t.shape())));
      }
      optimizer.restore(moments, state.optimizerStep());
    }
    appliedStep = state.afterStep();
    beforeApplied = null;
    return readParameters();
  }

  private double backward(List<Dialog> dialogs, long step, int microBatch) {
    try (NDScope scope = new NDScope();
        NDManager sub = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      SequencePlan plan = model.planner().forTraining(dialogs, settings.mode());
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray features = model.encodeVisuals(sub, plan.visuals()); // [I, V, E]
        MmictModel.Outputs out = model.forward(plan, features, true);
        NDArray loss = model.lmLoss(plan, out); // []
        double lm = loss.getFloat();
        if (!Double.isFinite(lm)) {
          throw new IllegalStateException("step " + step + " micro-batch " + microBatch + ": non-finite loss " + lm
              + "; training diverged (lower the learning rate)");
        }
        gc.backward(loss);
        return lm;
      }
    }
  }

  private Saved save() {
    Map<String, float[]> state = new LinkedHashMap<>();
    Map<String, ai.djl.ndarray.types.Shape> shapes = new LinkedHashMap<>();
    optimizer.state().forEach((k, v) -> {
      state.put(k, v.toFloatArray());
      shapes.put(k, v.getShape());
    });
    float[] values = valuesNow != null ? valuesNow : vector.values();
    valuesNow = null; // the update that follows changes the parameters
    return new Saved(values, state, shapes, optimizer.step());
  }

  /** Reads the parameters once: their checksum, and their values kept for the next pre-update copy. */
  private byte[] readParameters() {
    ParameterVector.Snapshot now = vector.snapshot();
    valuesNow = now.values();
    return now.sha256();
  }

  private void restore(Saved saved) {
    valuesNow = null;
    vector.restore(saved.values());
    optimizer.close();
    optimizer = newOptimizer();
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> state = new LinkedHashMap<>();
      saved.optimizerState().forEach((k, v) -> state.put(k, tmp.create(v, saved.shapes().get(k))));
      optimizer.restore(state, saved.optimizerStep());
    }
  }

  private AdamW newOptimizer() {
    return new AdamW(manager, 0.9, 0.999, 1e-8, settings.weightDecay());
  }

  @Override
  public void close() {
    optimizer.close();
  }
}
