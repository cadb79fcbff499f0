package dev.mmict.worker.train;

import ai.djl.ndarray.NDArray;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.optim.AdamW;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a single-process training step, after the backward pass: take every trainable
 * parameter's gradient, clip them by their global L2 norm, apply one AdamW update, and zero the
 * gradients for the next pass. A non-finite gradient skips the update (as mixed-precision loss
 * scaling does) instead of writing NaN into the weights; the caller decides when too many skips
 * end a run.
 */
final class GradientUpdate {
  private static final Logger LOG = LoggerFactory.getLogger(GradientUpdate.class);

  /**
   * What the update did.
   *
   * @param norm the global L2 norm of the gradients before clipping
   * @param skipped true when a gradient was not finite and nothing was applied
   */
  record Outcome(double norm, boolean skipped) { }

  private GradientUpdate() { }

  /**
   * Applies the accumulated gradients of {@code params}' trainable parameters at learning rate
   * {@code lr}, clipped to global norm {@code clipNorm} (0: no clip), and zeroes them.
   */
  static Outcome apply(Params params, AdamW optimizer, double lr, double clipNorm) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    List<String> nonFinite = new ArrayList<>();
    double squares = 0;
    for (Params.Param p : params.trainable()) {
      NDArray g = p.value().getGradient(); // [shape of the parameter]
      grads.put(p.name(), g);
      double sq = g.square().sum().getFloat();
      if (!Double.isFinite(sq)) {
        nonFinite.add(p.name());
      }
      squares += sq;
    }
    double norm = Math.sqrt(squares);
    boolean skip = !nonFinite.isEmpty();
    if (skip) {
      LOG.warn("skipping an update: non-finite gradients in {} parameter(s), first {}", nonFinite.size(),
          nonFinite.subList(0, Math.min(3, nonFinite.size())));
    } else {
      if (clipNorm > 0 && norm > clipNorm) {
        float scale = (float) (clipNorm / norm);
        grads.values().forEach(g -> g.muli(scale)); // [shape of the parameter]
      }
      optimizer.update(params, grads, lr);
    }
    for (NDArray g : grads.values()) {
      Params.zeroGradient(g, skip);
    }
    return new Outcome(norm, skip);
  }
}
