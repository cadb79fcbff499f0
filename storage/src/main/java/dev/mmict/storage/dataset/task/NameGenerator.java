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
 * <p>{@link Style#SIMPLE} names have one or two syllables (consonant-vowel, optionally closed by a
 * consonant), three to six letters. {@link Style#RICH} names also have the letter patterns real
 * nonsense words have and simple ones almost never do: onset clusters ("pl", "tr"), closing
 * clusters ("nk", "sk") and doubled consonants ("ff" at the end, "bb" between syllables), so that
 * a model pretrained on them has had to copy such spellings. Both start with a consonant (so "a
 * {name}" reads right) and never collide with an excluded set — in practice every name any
 * built-in task lists, so downstream evaluation names stay unseen in pretraining.
 */
final class NameGenerator {
  private static final String CONSONANTS = "bdfghjklmnprstvwz";
  private static final String VOWELS = "aeiou";
  private static final String[] ONSETS = {"bl", "br", "ch", "cl", "dr", "fl", "fr", "gl", "gr", "kl", "kr", "pl",
      "pr", "sh", "sk", "sl", "sm", "sn", "sp", "st", "sw", "th", "tr"};
  private static final String[] CODAS = {"ck", "ft", "lb", "ld", "lk", "lm", "lp", "mp", "nd", "nk", "nt", "rb",
      "rf", "rk", "rm", "rn", "rp", "sh", "sk", "sp", "st", "x"};
  private static final String DOUBLED = "bdfglmnprstz";

  /** How generated names are spelled. */
  enum Style {
    /** Consonant-vowel syllables, optionally closed by one consonant. */
    SIMPLE,
    /** Simple syllables mixed with consonant clusters and doubled consonants. */
    RICH;

    /** The style a task file names ({@code simple} or {@code rich}). */
    static Style parse(String name) {
      for (Style s : values()) {
        if (s.name().equalsIgnoreCase(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown name style '" + name + "' (simple or rich)");
    }
  }

  private NameGenerator() { }

  /** {@code base} followed by {@code count} simple generated names, deterministic in {@code seed}. */
  static List<String> extend(List<String> base, int count, long seed, Set<String> excluded) {
    return extend(base, count, seed, excluded, Style.SIMPLE);
  }

  /** {@code base} followed by {@code count} generated names of {@code style}, deterministic in {@code seed}. */
  static List<String> extend(List<String> base, int count, long seed, Set<String> excluded, Style style) {
    Set<String> out = new LinkedHashSet<>(base);
    SplittableRandom rng = Seeds.random(seed, 0x4A4D_E5L);
    int attempts = 0;
    int target = base.size() + count;
    while (out.size() < target) {
      if (++attempts > 50 * count + 1000) {
        throw new IllegalStateException("could not generate " + count + " distinct names");
      }
      String name = style == Style.RICH ? richName(rng) : name(rng);
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

  /**
   * One rich name: one or two syllables; each onset is a cluster one time in three, the last
   * syllable is closed one time in two — by a cluster, a doubled consonant or a single one — and
   * a two-syllable name doubles the consonant between its syllables one time in four.
   */
  private static String richName(SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    int syllables = 1 + rng.nextInt(2);
    for (int s = 0; s < syllables; s++) {
      if (s > 0 && rng.nextInt(4) == 0) {
        appendDoubled(sb, rng);
      } else if (rng.nextInt(3) == 0) {
        sb.append(ONSETS[rng.nextInt(ONSETS.length)]);
      } else {
        sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
      }
      sb.append(VOWELS.charAt(rng.nextInt(VOWELS.length())));
    }
    switch (rng.nextInt(6)) {
      case 0, 1 -> sb.append(CODAS[rng.nextInt(CODAS.length)]);
      case 2 -> appendDoubled(sb, rng);
      case 3 -> sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
      default -> {
        if (sb.length() < 3) {
          sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
        }
      }
    }
    return sb.toString();
  }

  private static void appendDoubled(StringBuilder sb, SplittableRandom rng) {
    char c = DOUBLED.charAt(rng.nextInt(DOUBLED.length()));
    sb.append(c).append(c);
  }
}
