package dev.mmict.coordinator.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * One searched configuration key and how its values are chosen. Grid parameters are enumerated
 * (every trial set takes every value); the others are drawn at random, once per trial.
 *
 * <p>Values are JSON scalars: {@link String}, {@link Long}, {@link Double} or {@link Boolean}
 * ({@link Integer} is widened to {@link Long}, {@link Float} to {@link Double}). Bounds follow Ray
 * Tune: {@code low} is included, {@code high} is not.
 */
public sealed interface Parameter
    permits Parameter.Grid, Parameter.Choice, Parameter.Uniform, Parameter.LogUniform,
        Parameter.IntUniform {

  /** The dotted configuration key this parameter sets. */
  String key();

  /** Whether the value is enumerated rather than drawn. */
  default boolean isGrid() {
    return this instanceof Grid;
  }

  /** Every value in order: each trial set (see {@link TrialSampler}) takes each of them once. */
  record Grid(String key, List<Object> values) implements Parameter {
    /** Rejects an empty or ill-typed value list. */
    public Grid {
      key = checkKey(key);
      values = checkValues(key, values, "grid");
    }
  }

  /** One of the values, drawn uniformly per trial. */
  record Choice(String key, List<Object> values) implements Parameter {
    /** Rejects an empty or ill-typed value list. */
    public Choice {
      key = checkKey(key);
      values = checkValues(key, values, "choice");
    }
  }

  /** A real number drawn uniformly from {@code [low, high)}. */
  record Uniform(String key, double low, double high) implements Parameter {
    /** Rejects non-finite bounds and an empty range. */
    public Uniform {
      key = checkKey(key);
      checkRange(key, low, high, "uniform");
    }
  }

  /** A real number whose logarithm is uniform on {@code [log low, log high)}; needs {@code 0 < low < high}. */
  record LogUniform(String key, double low, double high) implements Parameter {
    /** Rejects non-positive or non-finite bounds and an empty range. */
    public LogUniform {
      key = checkKey(key);
      checkRange(key, low, high, "logUniform");
      if (low <= 0) {
        throw new SearchSpaceException(key, "logUniform needs positive bounds, got low " + low);
      }
    }
  }

  /** An integer drawn uniformly from {@code [low, high)} (Ray Tune's {@code randint}). */
  record IntUniform(String key, long low, long high) implements Parameter {
    /** Rejects an empty range. */
    public IntUniform {
      key = checkKey(key);
      if (low >= high) {
        throw new SearchSpaceException(key, "intUniform range [" + low + ", " + high
            + ") is empty: low must be below high (high is excluded)");
      }
      if (high - low <= 0) {
        throw new SearchSpaceException(key, "intUniform range [" + low + ", " + high + ") is too wide");
      }
    }
  }

  private static String checkKey(String key) {
    if (key == null || key.isBlank()) {
      throw new SearchSpaceException(String.valueOf(key), "a parameter needs a configuration key");
    }
    return key;
  }

  private static void checkRange(String key, double low, double high, String kind) {
    if (!Double.isFinite(low) || !Double.isFinite(high)) {
      throw new SearchSpaceException(key, kind + " bounds must be finite numbers, got [" + low + ", " + high + ")");
    }
    if (low >= high) {
      throw new SearchSpaceException(key, kind + " range [" + low + ", " + high
          + ") is empty: low must be below high");
    }
  }

  private static List<Object> checkValues(String key, List<Object> values, String kind) {
    if (values == null || values.isEmpty()) {
      throw new SearchSpaceException(key, kind + " needs at least one value, got an empty list");
    }
    List<Object> normalised = new ArrayList<>(values.size());
    Class<?> first = null;
    for (int i = 0; i < values.size(); i++) {
      Object value = ParamValues.normalise(values.get(i));
      if (value == null) {
        throw new SearchSpaceException(key, kind + " value " + i + " must be a string, number or boolean, got "
            + (values.get(i) == null ? "null" : values.get(i).getClass().getSimpleName()));
      }
      Class<?> group = value instanceof Number ? Number.class : value.getClass();
      if (first == null) {
        first = group;
      } else if (!first.equals(group)) {
        throw new SearchSpaceException(key, kind + " values must all have one type: value " + i + " ("
            + value + ") is a " + group.getSimpleName().toLowerCase(java.util.Locale.ROOT) + ", value 0 a "
            + first.getSimpleName().toLowerCase(java.util.Locale.ROOT));
      }
      normalised.add(value);
    }
    return List.copyOf(normalised);
  }
}
