package dev.mmict.coordinator.sweep;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link SearchSpace} and a seed into the sweep's trials, reproducibly.
 *
 * <p><b>Order.</b> As Ray Tune's {@code num_samples}, {@code samples} repeats the whole grid: there
 * are {@code samples × gridSize} trials, trial {@code i} belongs to repetition {@code i / gridSize}
 * and takes grid point {@code i % gridSize}. Grid points are enumerated like nested loops in
 * declaration order: the first grid key changes slowest, the last fastest.
 *
 * <p><b>Random values.</b> Each random parameter of each trial gets its own uniform number
 * {@code u ∈ [0, 1)} derived from {@code (seed, trial index, key)} alone:
 * <pre>
 *   k = fnv1a64(UTF-8 bytes of key)
 *   h = mix64(mix64(seed XOR k) + index)
 *   u = (mix64(h) &gt;&gt;&gt; 11) · 2^-53
 * </pre>
 * where {@code mix64} is the SplitMix64 finalizer (xor-shift 30, multiply 0xbf58476d1ce4e5b9,
 * xor-shift 27, multiply 0x94d049bb133111eb, xor-shift 31). So the same seed gives the same trials
 * on any JVM, a trial's values do not depend on how many trials are drawn, and adding or removing
 * one parameter leaves the draws of the others unchanged. From {@code u}: uniform
 * {@code low + u·(high − low)}; log-uniform {@code exp(ln low + u·(ln high − ln low))}; integer
 * {@code low + ⌊u·(high − low)⌋}; choice the value at {@code ⌊u·n⌋}. Results that round up to
 * {@code high} are moved to the largest value below it.
 */
public final class TrialSampler {

  private final SearchSpace space;
  private final long seed;
  private final List<Parameter.Grid> grid;
  private final int gridSize;

  /**
   * @param space the parameters
   * @param seed the sweep's seed
   */
  public TrialSampler(SearchSpace space, long seed) {
    this.space = space;
    this.seed = seed;
    this.grid = space.grid();
    this.gridSize = space.gridSize();
  }

  /** The number of trials for {@code samples} repetitions of the grid. */
  public int trialCount(int samples) {
    if (samples < 1) {
      throw new IllegalArgumentException("samples (numTrials) must be >= 1, got " + samples);
    }
    return Math.multiplyExact(samples, gridSize);
  }

  /** All trials of {@code samples} repetitions of the grid, in index order. */
  public List<TrialSpec> trials(int samples) {
    int count = trialCount(samples);
    List<TrialSpec> trials = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      trials.add(trial(i));
    }
    return trials;
  }

  /** The trial at {@code index}. */
  public TrialSpec trial(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("trial index must be >= 0, got " + index);
    }
    int[] gridPositions = gridPositions(index % gridSize);
    Map<String, Object> params = new LinkedHashMap<>();
    int g = 0;
    for (Parameter p : space.parameters()) {
      if (p instanceof Parameter.Grid grid) {
        params.put(p.key(), grid.values().get(gridPositions[g++]));
      } else {
        params.put(p.key(), draw(p, uniform(seed, index, p.key())));
      }
    }
    return new TrialSpec(index, TrialSpec.idOf(index), params);
  }

  /** Position in each grid parameter's values for grid point {@code point} (last key fastest). */
  private int[] gridPositions(int point) {
    int[] positions = new int[grid.size()];
    int rest = point;
    for (int g = grid.size() - 1; g >= 0; g--) {
      int n = grid.get(g).values().size();
      positions[g] = rest % n;
      rest /= n;
    }
    return positions;
  }

  private static Object draw(Parameter p, double u) {
    if (p instanceof Parameter.Uniform x) {
      return below(x.low() + u * (x.high() - x.low()), x.high());
    }
    if (p instanceof Parameter.LogUniform x) {
      double logLow = Math.log(x.low());
      return below(Math.exp(logLow + u * (Math.log(x.high()) - logLow)), x.high());
    }
    if (p instanceof Parameter.IntUniform x) {
      long span = x.high() - x.low();
      long offset = (long) Math.floor(u * span);
      return x.low() + Math.min(offset, span - 1);
    }
    if (p instanceof Parameter.Choice x) {
      int n = x.values().size();
      return x.values().get(Math.min((int) Math.floor(u * n), n - 1));
    }
    throw new IllegalArgumentException("not a random parameter: " + p);
  }

  private static double below(double value, double high) {
    return value >= high ? Math.nextDown(high) : value;
  }

  /** The uniform number in [0, 1) for one (seed, trial, key), as documented on the class. */
  static double uniform(long seed, int index, String key) {
    long h = mix64(mix64(seed ^ fnv1a64(key)) + index);
    return (mix64(h) >>> 11) * 0x1.0p-53;
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long fnv1a64(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= (b & 0xff);
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
