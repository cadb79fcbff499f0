package dev.mmict.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.model.DialogContrast;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.optim.AdamW;
import java.util.List;
import dev.mmict.hub.nn.Scalars;

/**
 * One optimisation step on one replica, readable top to bottom: plan → encode → forward → loss
 * → backward → update. The cluster runs the same step with the update replaced by the
 * gradient exchange; this single-process form applies its own gradients.
 */
public final class TrainingStep {

  /**
   * What a step reports.
   *
   * @param gradNorm the global L2 norm of the gradients before clipping
   * @param skipped true when the gradients were not finite and no update was applied
   */
  public record Result(double loss, double lmLoss, double contrastLoss, int dialogs, int targetTokens,
      double gradNorm, boolean skipped) { }

  private final MmictModel model;
  private final AdamW optimizer;
  private final DialogContrast contrast;
  private final double contrastWeight;
  private final double clipNorm;
  private boolean interleaved;

  /**
   * @param contrast the dialog-level contrastive objective, or null to train on the LM loss only
   * @param contrastWeight its weight in the total loss
   * @param clipNorm gradients whose global L2 norm exceeds this are scaled down to it (0: never)
   */
  public TrainingStep(MmictModel model, AdamW optimizer, DialogContrast contrast, double contrastWeight,
      double clipNorm) {
    this.model = model;
    this.optimizer = optimizer;
    this.contrast = contrast;
    this.contrastWeight = contrastWeight;
    this.clipNorm = clipNorm;
  }

  /** Also puts the loss on demonstrations' raw text tokens (pretraining; see SequencePlanner). */
  public TrainingStep interleaved(boolean on) {
    this.interleaved = on;
    return this;
  }

  /**
   * Trains on one batch of dialogs.
   *
   * @param positives per dialog and demonstration, whether it shows what the query shows (used by
   *     the contrastive objective; may be null)
   */
  public Result run(NDManager manager, List<Dialog> dialogs, Mode mode, boolean[][] positives, double lr) {
    Params params = model.params();
    try (NDScope scope = new NDScope();
        NDManager step = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      SequencePlan plan = interleaved
          ? model.planner().forInterleavedTraining(dialogs, mode) : model.planner().forTraining(dialogs, mode);
      double lm;
      double con = 0;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray features = model.encodeVisuals(step, plan.visuals()); // [I, V, E]
        MmictModel.Outputs out = model.forward(plan, features, true);
        NDArray loss = model.lmLoss(plan, out); // []
        lm = loss.getFloat();
        if (contrast != null && positives != null && mode == Mode.MMICT) {
          NDArray c = contrast.loss(plan, out.mhub(), positives); // [] or null
          if (c != null) {
            con = c.getFloat();
            loss = loss.add(Scalars.mul(c, (float) contrastWeight)); // []
          }
        }
        if (!Double.isFinite(lm) || !Double.isFinite(con)) {
          throw new IllegalStateException("non-finite loss (LM " + lm + ", contrastive " + con
              + "): training diverged; lower the learning rate or the gradient clip");
        }
        gc.backward(loss);
      }
      // The loop stops the run if updates keep being skipped.
      GradientUpdate.Outcome update = GradientUpdate.apply(params, optimizer, lr, clipNorm);
      return new Result(lm + contrastWeight * con, lm, con, dialogs.size(), plan.targetCount(), update.norm(),
          update.skipped());
    }
  }
}
