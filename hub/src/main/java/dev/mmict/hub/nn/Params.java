package dev.mmict.hub.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The named parameters of a model, under their Hugging Face / BLIP-2 names.
 *
 * <p>Why not DJL's {@code Block}/{@code ParameterStore}: DJL names child parameters by position
 * ("01Linear_weight"), which cannot reproduce the checkpoint names PyTorch users read, and its
 * {@code Trainer} keeps optimizer state private. Layers here declare their parameters under a
 * prefix into one {@code Params} and read them back by name in {@code forward}; everything else
 * (autograd, kernels) is DJL's PyTorch engine.
 *
 * <p>Initial values come from a {@link SplittableRandom} seeded per parameter name, so the same
 * seed gives the same weights whatever order layers are built in and whichever engine runs them.
 * Parameters live in this object's own {@link NDManager}; close it to free them.
 */
public final class Params implements AutoCloseable {

  /** How a parameter is initialised. */
  public enum Init {
    /** All zeros (biases). */
    ZEROS,
    /** All ones (LayerNorm gains). */
    ONES,
    /** Normal with the standard deviation given at declaration. */
    NORMAL
  }

  /** One parameter: its value and whether the optimizer updates it. */
  public static final class Param {
    private final String name;
    private final NDArray value;
    private boolean trainable;

    Param(String name, NDArray value) {
      this.name = name;
      this.value = value;
    }

    /** The Hugging Face name. */
    public String name() {
      return name;
    }

    /** The live value (updated in place by the optimizer). */
    public NDArray value() {
      return value;
    }

    /** Whether gradients are collected and the optimizer updates it. */
    public boolean trainable() {
      return trainable;
    }

    /** Matrices (rank ≥ 2) take weight decay; vectors (biases, norms) do not. */
    public boolean decays() {
      return value.getShape().dimension() >= 2;
    }
  }

  private final NDManager manager;
  private final long seed;
  private final Map<String, Param> params = new LinkedHashMap<>();

  /** Creates an empty set whose declared parameters are initialised from {@code seed}. */
  public Params(NDManager parent, long seed) {
    this.manager = parent.newSubManager();
    this.seed = seed;
  }

  /** The manager that owns the parameter arrays. */
  public NDManager manager() {
    return manager;
  }

  /**
   * Declares a float32 parameter and initialises it.
   *
   * @throws IllegalStateException if the name is declared twice
   */
  public NDArray declare(String name, Shape shape, Init init, double std) {
    if (params.containsKey(name)) {
      throw new IllegalStateException("parameter declared twice: " + name);
    }
    int n = Math.toIntExact(shape.size());
    float[] values = new float[n];
    switch (init) {
      case ZEROS -> { }
      case ONES -> java.util.Arrays.fill(values, 1f);
      case NORMAL -> {
        SplittableRandom rng = new SplittableRandom(seed ^ (long) name.hashCode() * 0x9E3779B97F4A7C15L);
        for (int i = 0; i < n; i++) {
          values[i] = (float) (gaussian(rng) * std);
        }
      }
    }
    NDArray value = owned(manager, values, shape);
    value.setName(name);
    NDScope.unregister(value); // parameters outlive any scope they are declared in
    params.put(name, new Param(name, value));
    return value;
  }

  /**
   * Overwrites a parameter's values in place, keeping its tensor (and the memory PyTorch owns).
   * {@code NDArray.set(Buffer)} would instead point the tensor at a Java buffer that only the
   * NDArray object keeps alive; anything still viewing the old memory then reads freed memory.
   *
   * @throws IllegalArgumentException for an unknown name or a wrong number of values
   */
  public void assign(String name, float[] values) {
    NDArray value = get(name);
    if (values.length != value.size()) {
      throw new IllegalArgumentException("parameter '" + name + "' has " + value.size() + " values, got "
          + values.length);
    }
    try (NDManager tmp = manager.newSubManager()) {
      NDArray src = tmp.create(values, value.getShape()); // [shape of the parameter]
      value.muli(0f).addi(src); // [shape of the parameter] in place: finite values times 0 are 0
    }
  }

  /**
   * Zeroes a parameter's gradient in place (PyTorch adds every backward pass to it). With {@code
   * mayHoldNaN}, NaN elements are cleared too: NaN · 0 is NaN (and so is ∞ · 0), so one bad pass
   * would otherwise poison every later one.
   */
  public static void zeroGradient(NDArray gradient, boolean mayHoldNaN) {
    gradient.muli(0f); // [shape of the parameter]
    if (mayHoldNaN) {
      gradient.set(gradient.isNaN(), 0f); // [shape of the parameter]
    }
  }

  /** Feeds {@code value}'s elements to {@code digest} as little-endian float32 (for fingerprints). */
  public static void digestValues(java.security.MessageDigest digest, NDArray value) {
    float[] v = value.toFloatArray();
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(v);
    digest.update(buf.array());
  }

  /** A tensor holding {@code values} in memory PyTorch allocated (not a view of a Java buffer). */
  private static NDArray owned(NDManager manager, float[] values, Shape shape) {
    try (NDManager tmp = manager.newSubManager()) {
      NDArray blob = tmp.create(values, shape); // [shape] backed by a Java direct buffer
      NDArray copy = blob.duplicate(); // [shape] a PyTorch clone
      copy.attach(manager);
      return copy;
    }
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller; SplittableRandom has no nextGaussian in Java 17.
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** The value of a declared parameter. */
  public NDArray get(String name) {
    Param p = params.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return p.value;
  }

  /** Whether {@code name} is declared. */
  public boolean contains(String name) {
    return params.containsKey(name);
  }

  /** All parameters in declaration order. */
  public Map<String, Param> all() {
    return Collections.unmodifiableMap(params);
  }

  /** Trainable parameters in declaration order. */
  public List<Param> trainable() {
    return params.values().stream().filter(Param::trainable).toList();
  }

  /** Number of scalars in the parameters that match. */
  public long count(Predicate<Param> which) {
    return params.values().stream().filter(which).mapToLong(p -> p.value.size()).sum();
  }

  /**
   * Marks the parameters whose names match as trainable (gradient attached) and all others as
   * frozen.
   */
  public void setTrainable(Predicate<String> which) {
    for (Param p : params.values()) {
      boolean t = which.test(p.name);
      p.trainable = t;
      p.value.setRequiresGradient(t);
    }
  }

  /**
   * Copies values into declared parameters, checking names, shapes and dtypes.
   *
   * @param strict when true every declared parameter must be present in {@code values}
   * @param source where the values come from, for error messages
   * @return the names of {@code values} that match no parameter (callers decide if that is an
   *     error)
   */
  public List<String> load(Map<String, NDArray> values, boolean strict, String source) {
    for (Param p : params.values()) {
      NDArray v = values.get(p.name);
      if (v == null) {
        if (strict) {
          throw new IllegalArgumentException(source + ": missing tensor '" + p.name + "'");
        }
        continue;
      }
      if (!v.getShape().equals(p.value.getShape())) {
        throw new IllegalArgumentException(source + ": tensor '" + p.name + "' has shape "
            + v.getShape() + ", the model expects " + p.value.getShape());
      }
      NDArray f = v.getDataType() == DataType.FLOAT32 ? v : v.toType(DataType.FLOAT32, false);
      assign(p.name, f.toFloatArray());
    }
    return values.keySet().stream().filter(k -> !params.containsKey(k)).sorted().toList();
  }

  /** A snapshot of every parameter's values (copies) keyed by name. */
  public Map<String, NDArray> snapshot(NDManager into, Predicate<Param> which) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Param p : params.values()) {
      if (which.test(p)) {
        NDArray copy = into.create(p.value.toFloatArray(), p.value.getShape());
        copy.setName(p.name);
        out.put(p.name, copy);
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
