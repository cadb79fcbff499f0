package dev.mmict.storage.dataset.task;

import dev.mmict.storage.dataset.Seeds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Makes pronounceable nonsense names ("bupo", "kelvam") for pretraining fast binding. A few dozen
 * fixed names let a small LLM memorise them as words instead of learning to copy a name out of
 * its demonstrations; thousands of generated ones leave copying as the only way to answer.
 *
 * <p>Names have one or two syllables (consonant-vowel, optionally closed by a consonant), three to
 * six letters, start with a consonant (so "a {name}" reads right), and never collide with an
 * excluded set — in practice every name any built-in task lists, so downstream evaluation names
 * stay unseen in pretraining.
 */
final class NameGenerator {
  private static final String CONSONANTS = "bdfghjklmnprstvwz";
  private static final String VOWELS = "aeiou";

  private NameGenerator() { }

  /** {@code base} followed by {@code count} generated names, deterministic in {@code seed}. */
  static List<String> extend(List<String> base, int count, long seed, Set<String> excluded) {
    Set<String> out = new LinkedHashSet<>(base);
    SplittableRandom rng = Seeds.random(seed, 0x4A4D_E5L);
    int attempts = 0;
    int target = base.size() + count;
    while (out.size() < target) {
      if (++attempts > 50 * count + 1000) {
        throw new IllegalStateException("could not generate " + count + " distinct names");
      }
      String name = name(rng);
      if (!excluded.contains(name)) {
        out.add(name);
      }
    }
    return List.copyOf(new ArrayList<>(out));
  }

  private static String name(SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    int syllables = 1 + rng.nextInt(2);
    for (int s = 0; s < syllables; s++) {
      sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
      sb.append(VOWELS.charAt(rng.nextInt(VOWELS.length())));
      if (rng.nextInt(3) == 0 || (syllables == 1 && sb.length() < 3)) {
        sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
      }
    }
    return sb.toString();
  }
}
