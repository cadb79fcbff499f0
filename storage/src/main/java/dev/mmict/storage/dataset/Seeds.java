package dev.mmict.storage.dataset;

import java.util.SplittableRandom;

/**
 * Derives independent, reproducible random streams from tuples such as (task seed, split, index)
 * or (seed, epoch, step, query), so any process can regenerate any sample or plan on its own.
 */
public final class Seeds {

  private Seeds() {}

  /** Mixes the parts into one well-spread 64-bit seed (SplitMix64 finaliser after each part). */
  public static long mix(long... parts) {
    long h = 0x6A09E667F3BCC909L;
    for (long part : parts) {
      h = finalise(h ^ finalise(part + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  /** A stable 64-bit code for a name ({@link String#hashCode()} is fixed by the JLS). */
  public static long of(String name) {
    return finalise(name.hashCode());
  }

  /** A random stream for the given parts. */
  public static SplittableRandom random(long... parts) {
    return new SplittableRandom(mix(parts));
  }

  private static long finalise(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
