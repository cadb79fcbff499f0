package dev.mmict.hub.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.mmict.hub.nn.Params;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, Loshchilov and Hutter) with decay on matrices only, as the
 * release trains. DJL's {@code Trainer} keeps optimizer state private; this one exposes its
 * moments and step count so checkpoints can carry them.
 */
public final class AdamW implements AutoCloseable {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
  private long step;

  /** Creates an optimizer with empty state. */
  public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.manager = parent.newSubManager();
  }

  /** The release's defaults: β (0.9, 0.999), ε 1e-8, weight decay 0.05. */
  public static AdamW defaults(NDManager parent) {
    return new AdamW(parent, 0.9, 0.999, 1e-8, 0.05);
  }

  /** Number of updates applied so far. */
  public long step() {
    return step;
  }

  /**
   * Applies one update to every trainable parameter from the given gradients (name → gradient,
   * already reduced across workers). A trainable parameter without a gradient is an error: it
   * would silently stop learning.
   */
  public void update(Params params, Map<String, NDArray> grads, double lr) {
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    for (Params.Param p : params.trainable()) {
      NDArray g = grads.get(p.name());
      if (g == null) {
        throw new IllegalStateException("no gradient for trainable parameter '" + p.name() + "'");
      }
      NDArray w = p.value();
      NDArray m = firstMoment.computeIfAbsent(p.name(), k -> persistent(manager.zeros(w.getShape())));
      NDArray v = secondMoment.computeIfAbsent(p.name(), k -> persistent(manager.zeros(w.getShape())));
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        m.muli(beta1).addi(g.mul(1 - beta1)); // [shape of w]
        v.muli(beta2).addi(g.square().muli(1 - beta2)); // [shape of w]
        NDArray denom = v.div(bc2).sqrt().addi(eps); // [shape of w]
        NDArray update = m.div(bc1).divi(denom); // [shape of w]
        if (p.decays() && weightDecay > 0) {
          w.muli(1 - lr * weightDecay); // decoupled decay
        }
        w.subi(update.muli(lr)); // [shape of w]
      }
    }
  }

  /** Keeps state created while a caller's {@link NDScope} is open alive past that scope. */
  private static NDArray persistent(NDArray array) {
    NDScope.unregister(array);
    return array;
  }

  /** The state as named tensors: {@code <param>.exp_avg}, {@code <param>.exp_avg_sq}. */
  public Map<String, NDArray> state() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    firstMoment.forEach((k, v) -> out.put(k + ".exp_avg", v));
    secondMoment.forEach((k, v) -> out.put(k + ".exp_avg_sq", v));
    return out;
  }

  /** Restores the moments and step count saved by {@link #state()}. */
  public void restore(Map<String, NDArray> state, long step) {
    this.step = step;
    state.forEach((k, v) -> {
      NDArray copy = persistent(manager.create(v.toFloatArray(), v.getShape()));
      if (k.endsWith(".exp_avg")) {
        firstMoment.put(k.substring(0, k.length() - ".exp_avg".length()), copy);
      } else if (k.endsWith(".exp_avg_sq")) {
        secondMoment.put(k.substring(0, k.length() - ".exp_avg_sq".length()), copy);
      } else {
        throw new IllegalArgumentException("unknown optimizer state tensor '" + k + "'");
      }
    });
  }

  @Override
  public void close() {
    manager.close();
  }
}
