package dev.mmict.hub.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.nn.Scalars;

/**
 * The pretraining objective that makes demonstrations' VGT rows carry what their image shows:
 * within each dialog, the query's pooled TGV must pick out the demonstrations that show the same
 * thing (BLIP-2 stage 1's image-text contrastive role, applied where MMICT needs it). Without
 * it a prototype's VGT rows ignored the image and in-context binding stayed at chance
 * (MMICT.md, "Where the frozen backbone's abilities come from").
 *
 * <p>Loss per dialog: {@code -log Σ_{k positive} softmax_k(cos(tgv_q, vgt_k) / τ)}, averaged
 * over dialogs that have at least one positive and one negative demonstration.
 */
public final class DialogContrast {
  private final double temperature;

  /** @param temperature τ of the softmax over a dialog's demonstrations */
  public DialogContrast(double temperature) {
    this.temperature = temperature;
  }

  /**
   * @param plan an MMICT-mode plan (demonstrations carry text through the M-Hub)
   * @param mhub the M-Hub output for the plan's items [I, Q+T, Hq]
   * @param positive per dialog, per demonstration: does it show what the query shows
   * @return the loss [], or null when no dialog has both a positive and a negative
   */
  public NDArray loss(SequencePlan plan, NDArray mhub, boolean[][] positive) {
    NDManager m = mhub.getManager();
    int b = plan.batch();
    int q = (int) (mhub.getShape().get(1) - plan.textLen());
    int t = plan.textLen();
    int kmax = 0;
    int usable = 0;
    for (int i = 0; i < b; i++) {
      kmax = Math.max(kmax, plan.demoItems()[i].length);
      if (hasBoth(positive[i])) {
        usable++;
      }
    }
    if (usable == 0 || t == 0) {
      return null;
    }
    long[] queryIdx = new long[b];
    long[] demoIdx = new long[b * kmax];
    float[] textMask = new float[b * kmax * t];
    float[] posMask = new float[b * kmax];
    float[] validBias = new float[b * kmax];
    float[] weight = new float[b];
    for (int i = 0; i < b; i++) {
      queryIdx[i] = plan.queryItem()[i];
      weight[i] = hasBoth(positive[i]) ? 1f / usable : 0f;
      int[] demos = plan.demoItems()[i];
      for (int k = 0; k < kmax; k++) {
        int slot = i * kmax + k;
        if (k < demos.length) {
          demoIdx[slot] = demos[k];
          int len = Math.max(1, plan.mhubText()[demos[k]].length);
          for (int j = 0; j < len && j < t; j++) {
            textMask[slot * t + j] = 1f / len;
          }
          posMask[slot] = positive[i][k] ? 1f : 0f;
        } else {
          demoIdx[slot] = plan.queryItem()[i]; // any valid row; masked out below
          validBias[slot] = -1e4f;
        }
      }
    }
    NDArray tgv = mhub.get(m.create(queryIdx)) // [B, Q+T, Hq]
        .get(":, 0:" + q + ", :").mean(new int[] {1}); // [B, Hq]
    NDArray demoRows = mhub.get(m.create(demoIdx)) // [B·K, Q+T, Hq]
        .get(":, " + q + ":, :"); // [B·K, T, Hq]
    NDArray vgt = demoRows.mul(m.create(textMask, new Shape(b * kmax, t, 1))) // [B·K, T, Hq]
        .sum(new int[] {1}) // [B·K, Hq]
        .reshape(b, kmax, -1); // [B, K, Hq]
    // x / sqrt(|x|² + ε) rather than x / (|x| + ε): the norm's gradient is undefined at zero,
    // and padded demonstration slots are exactly zero.
    NDArray tgvN = tgv.div(tgv.square().sum(new int[] {-1}, true).add(1e-6f).sqrt()); // [B, Hq]
    NDArray vgtN = vgt.div(vgt.square().sum(new int[] {-1}, true).add(1e-6f).sqrt()); // [B, K, Hq]
    NDArray logits = Scalars.div(vgtN.mul(tgvN.expandDims(1)).sum(new int[] {-1}), (float) temperature) // [B, K]
        .add(m.create(validBias, new Shape(b, kmax))); // [B, K]
    NDArray picked = logits.softmax(-1).mul(m.create(posMask, new Shape(b, kmax))).sum(new int[] {-1}); // [B]
    return picked.add(1e-9f).log().neg().mul(m.create(weight)).sum(); // []
  }

  private static boolean hasBoth(boolean[] flags) {
    boolean pos = false;
    boolean neg = false;
    for (boolean f : flags) {
      pos |= f;
      neg |= !f;
    }
    return pos && neg;
  }
}
