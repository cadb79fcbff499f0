package dev.mmict.hub.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.nn.Params;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, Loshchilov and Hutter) with decay on matrices only, as the
 * release trains. DJL's {@code Trainer} keeps optimizer state private; this one exposes its
 * moments and step count so checkpoints can carry them.
 *
 * <p>The moments of all trainable parameters live in two flat buffers, and an update runs the
 * moment and step arithmetic once over all of them (a "multi-tensor" step): per parameter only
 * its slice of the step is subtracted, and matrices decay. Each operator call costs a JNI round
 * trip and a Java object whatever the tensor's size, and the fine-tuned part of the model is
 * about a hundred small tensors, so one call per operator instead of one per operator and
 * parameter is what makes the update cheap. Element by element the arithmetic is the same
 * sequence of float32 operations as a per-parameter update, so the results are bitwise equal.
 */
public final class AdamW implements AutoCloseable {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final NDManager manager;
  private Layout layout;
  private NDArray firstMoment; // [N] every trainable parameter's elements, in layout order
  private NDArray secondMoment; // [N]
  private Map<String, NDArray> restored = Map.of(); // moments restored before the first update
  private Map<String, NDArray> views = Map.of(); // per-parameter views of the two buffers, in their shapes
  private long step;

  /** Which parameters the flat buffers hold, in order, and where each one's elements start. */
  private record Layout(List<String> names, List<Shape> shapes, long[] splits) {
    static Layout of(List<Params.Param> trainable) {
      List<String> names = new ArrayList<>();
      List<Shape> shapes = new ArrayList<>();
      long[] splits = new long[Math.max(0, trainable.size() - 1)];
      long offset = 0;
      for (int i = 0; i < trainable.size(); i++) {
        Params.Param p = trainable.get(i);
        names.add(p.name());
        shapes.add(p.value().getShape());
        offset += p.value().size();
        if (i < splits.length) {
          splits[i] = offset;
        }
      }
      return new Layout(List.copyOf(names), List.copyOf(shapes), splits);
    }

    boolean holds(List<Params.Param> trainable) {
      if (trainable.size() != names.size()) {
        return false;
      }
      for (int i = 0; i < trainable.size(); i++) {
        if (!trainable.get(i).name().equals(names.get(i)) || !trainable.get(i).value().getShape().equals(shapes.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

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
   * would silently stop learning. So is a set of trainable parameters other than the one of the
   * first update (callers make one optimizer per training stage).
   */
  public void update(Params params, Map<String, NDArray> grads, double lr) {
    List<Params.Param> trainable = params.trainable();
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDList flat = new NDList(trainable.size());
      for (Params.Param p : trainable) {
        NDArray g = grads.get(p.name());
        if (g == null) {
          throw new IllegalStateException("no gradient for trainable parameter '" + p.name() + "'");
        }
        flat.add(g.reshape(-1)); // [size of p]
      }
      apply(trainable, NDArrays.concat(flat), lr); // [N]
    }
  }

  /**
   * The same update from the gradients already laid out as one vector [N]: every trainable
   * parameter's elements in declaration order (as a cluster exchanges them), so nothing is cut
   * into per-parameter tensors only to be joined again.
   */
  public void update(Params params, NDArray flatGradient, double lr) {
    List<Params.Param> trainable = params.trainable();
    long size = trainable.stream().mapToLong(p -> p.value().size()).sum();
    if (flatGradient.getShape().dimension() != 1 || flatGradient.size() != size) {
      throw new IllegalArgumentException("a flat gradient of shape " + flatGradient.getShape() + " for " + size
          + " trainable elements");
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      apply(trainable, flatGradient, lr);
    }
  }

  /** One step from the flat gradient {@code g} [N]; runs inside the caller's scope. */
  private void apply(List<Params.Param> trainable, NDArray g, double lr) {
    allocate(trainable);
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    firstMoment.muli(beta1).addi(g.mul(1 - beta1)); // [N]
    secondMoment.muli(beta2).addi(g.square().muli(1 - beta2)); // [N]
    NDArray denom = secondMoment.div(bc2).sqrt().addi(eps); // [N]
    NDArray update = firstMoment.div(bc1).divi(denom).muli(lr); // [N]
    NDList slices = slices(update); // [size of p] each
    for (int i = 0; i < trainable.size(); i++) {
      Params.Param p = trainable.get(i);
      NDArray w = p.value();
      if (p.decays() && weightDecay > 0) {
        w.muli(1 - lr * weightDecay); // decoupled decay
      }
      w.subi(slices.get(i).reshape(w.getShape())); // [shape of w]
    }
  }

  /**
   * Makes the flat moment buffers for {@code trainable} on the first update, from restored
   * moments where there are any and zeros elsewhere; checks later updates against that layout.
   */
  private void allocate(List<Params.Param> trainable) {
    if (layout != null) {
      if (!layout.holds(trainable)) {
        throw new IllegalStateException("the trainable parameters changed since this optimizer's first update ("
            + layout.names().size() + " then, " + trainable.size() + " now): make a new optimizer for a new stage");
      }
      return;
    }
    for (String name : restored.keySet()) {
      String param = name.substring(0, name.lastIndexOf('.'));
      if (trainable.stream().noneMatch(p -> p.name().equals(param))) {
        throw new IllegalArgumentException("restored optimizer state '" + name + "' belongs to no trainable parameter");
      }
    }
    layout = Layout.of(trainable);
    firstMoment = persistent(gather(trainable, ".exp_avg"));
    secondMoment = persistent(gather(trainable, ".exp_avg_sq"));
    Map<String, NDArray> v = new LinkedHashMap<>();
    split(firstMoment, ".exp_avg", v);
    split(secondMoment, ".exp_avg_sq", v);
    views = v;
    restored.values().forEach(NDArray::close);
    restored = Map.of();
  }

  /** Views of a flat buffer's slices in their parameters' shapes; they follow its in-place updates. */
  private void split(NDArray buffer, String suffix, Map<String, NDArray> into) {
    NDList slices = slices(buffer); // [size of p] each
    for (int i = 0; i < slices.size(); i++) {
      into.put(layout.names().get(i) + suffix, persistent(slices.get(i).reshape(layout.shapes().get(i)))); // [shape of p]
    }
  }

  /** A flat buffer [N] cut at the layout's parameter boundaries (views). */
  private NDList slices(NDArray flat) {
    return layout.splits().length == 0 ? new NDList(flat) : flat.split(layout.splits());
  }

  private NDArray gather(List<Params.Param> trainable, String suffix) {
    NDList parts = new NDList(trainable.size());
    for (Params.Param p : trainable) {
      NDArray r = restored.get(p.name() + suffix);
      if (r != null && !r.getShape().equals(p.value().getShape())) {
        throw new IllegalArgumentException("restored optimizer state '" + p.name() + suffix + "' has shape "
            + r.getShape() + ", the parameter " + p.value().getShape());
      }
      parts.add(r != null ? r.reshape(-1) : manager.zeros(new Shape(p.value().size()))); // [size of p]
    }
    return NDArrays.concat(parts); // [N]
  }

  /** Keeps state created while a caller's {@link NDScope} is open alive past that scope. */
  private static NDArray persistent(NDArray array) {
    NDScope.unregister(array);
    return array;
  }

  /**
   * The state as named tensors: {@code <param>.exp_avg}, {@code <param>.exp_avg_sq} (live views:
   * read them before the next update; empty before the first update unless restored).
   */
  public Map<String, NDArray> state() {
    return java.util.Collections.unmodifiableMap(layout == null ? restored : views);
  }

  /** Restores the moments and step count saved by {@link #state()}. */
  public void restore(Map<String, NDArray> state, long step) {
    Map<String, NDArray> copies = new LinkedHashMap<>();
    state.forEach((k, v) -> {
      if (!k.endsWith(".exp_avg") && !k.endsWith(".exp_avg_sq")) {
        throw new IllegalArgumentException("unknown optimizer state tensor '" + k + "'");
      }
      copies.put(k, persistent(manager.create(v.toFloatArray(), v.getShape())));
    });
    if (firstMoment != null) {
      views.values().forEach(NDArray::close);
      firstMoment.close();
      secondMoment.close();
      firstMoment = null;
      secondMoment = null;
      views = Map.of();
    }
    restored.values().forEach(NDArray::close);
    this.layout = null;
    this.restored = copies;
    this.step = step;
  }

  @Override
  public void close() {
    manager.close();
  }
}
