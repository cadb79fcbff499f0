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
   * How often the query's pooled TGV is closest to a demonstration that shows what the query
   * shows, over the dialogs that have both a positive and a negative demonstration.
   *
   * @param hits dialogs whose most similar demonstration is a positive
   * @param dialogs dialogs counted
   * @param chance the expected hits of a random pick: Σ over counted dialogs of positives / K
   */
  public record Retrieval(int hits, int dialogs, double chance) {
    /** Hits per counted dialog (0 when none was counted). */
    public double accuracy() {
      return dialogs == 0 ? 0 : (double) hits / dialogs;
    }

    /** The accuracy a random pick would reach on the same dialogs. */
    public double chanceAccuracy() {
      return dialogs == 0 ? 0 : chance / dialogs;
    }

    /** The sum of two tallies. */
    public Retrieval plus(Retrieval o) {
      return new Retrieval(hits + o.hits, dialogs + o.dialogs, chance + o.chance);
    }
  }

  /**
   * @param plan an MMICT-mode plan (demonstrations carry text through the M-Hub)
   * @param mhub the M-Hub output for the plan's items [I, Q+T, Hq]
   * @param positive per dialog, per demonstration: does it show what the query shows
   * @return the loss [], or null when no dialog has both a positive and a negative
   */
  public NDArray loss(SequencePlan plan, NDArray mhub, boolean[][] positive) {
    Similarity sim = similarity(plan, mhub, positive);
    if (sim == null) {
      return null;
    }
    NDManager m = mhub.getManager();
    NDArray picked = sim.logits().softmax(-1) // [B, K]
        .mul(m.create(sim.posMask(), new Shape(sim.batch(), sim.kmax()))).sum(new int[] {-1}); // [B]
    return picked.add(1e-9f).log().neg().mul(m.create(sim.weight())).sum(); // []
  }

  /** Which demonstration each dialog's query is most similar to, scored against {@code positive}. */
  public Retrieval retrieval(SequencePlan plan, NDArray mhub, boolean[][] positive) {
    Similarity sim = similarity(plan, mhub, positive);
    if (sim == null) {
      return new Retrieval(0, 0, 0);
    }
    float[] logits = sim.logits().toFloatArray(); // [B·K]
    int hits = 0;
    int dialogs = 0;
    double chance = 0;
    for (int i = 0; i < sim.batch(); i++) {
      if (!hasBoth(positive[i])) {
        continue;
      }
      int k = positive[i].length;
      int best = 0;
      int positives = 0;
      for (int j = 0; j < k; j++) {
        if (logits[i * sim.kmax() + j] > logits[i * sim.kmax() + best]) {
          best = j;
        }
        positives += positive[i][j] ? 1 : 0;
      }
      dialogs++;
      hits += positive[i][best] ? 1 : 0;
      chance += (double) positives / k;
    }
    return new Retrieval(hits, dialogs, chance);
  }

  /** Cosine logits [B, K] with padded slots at -1e4, and the masks the loss needs. */
  private record Similarity(NDArray logits, int batch, int kmax, float[] posMask, float[] weight) { }

  private Similarity similarity(SequencePlan plan, NDArray mhub, boolean[][] positive) {
    NDManager m = mhub.getManager();
    int b = plan.batch();
    int q = (int) (mhub.getShape().get(1) - plan.textLen());
    int t = plan.textLen();
    int kmax = 0;
    int usable = 0;
    for (int i = 0; i < b; i++) {
      if (positive[i].length != plan.demoItems()[i].length) {
        throw new IllegalArgumentException("dialog " + i + " has " + plan.demoItems()[i].length
            + " demonstrations but " + positive[i].length + " positive flags");
      }
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
    return new Similarity(logits, b, kmax, posMask, weight);
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
