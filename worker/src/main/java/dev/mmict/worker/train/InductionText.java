package dev.mmict.worker.train;

import dev.mmict.hub.lm.OptLM;
import dev.mmict.hub.text.Tokenizer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Text-only sequences that can only be continued by copying by content: random filler, a span
 * of random made-up words, more random filler, then the same span again. The span starts at a
 * random offset and has a random length, so no fixed-position rule predicts its second copy; a
 * model must find where the current piece occurred before and copy what followed it (an
 * induction circuit). That is the in-context ability a frozen LLM brings to MMICT from its text
 * pretraining, and what fast binding needs to copy a name out of a dialog.
 *
 * <p>Words are random letter strings spelled by the tokenizer (with a {@code WordTokenizer} most
 * become character pieces, as unseen names do; the few that are vocabulary words stay one
 * token). No task's names or sentence templates are involved.
 *
 * <p>The labels are the second copy's pieces after its first one (aligned with the inputs, not
 * shifted, {@link OptLM#IGNORE_INDEX} elsewhere); the first piece of the copy cannot be known
 * before it appears. Pure and deterministic for a given {@link Random}.
 */
public final class InductionText {

  /** One sequence: ids and labels of equal length. */
  public record Sequence(long[] ids, long[] labels) {
    /** Number of labelled positions. */
    public int targets() {
      return (int) Arrays.stream(labels).filter(l -> l != OptLM.IGNORE_INDEX).count();
    }
  }

  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

  private final Tokenizer tokenizer;
  private final int minSpanWords;
  private final int maxSpanWords;
  private final int maxFillerWords;
  private final int maxWordLength;

  /**
   * @param minSpanWords fewest words in the copied span (at least 1)
   * @param maxSpanWords most words in the copied span
   * @param maxFillerWords most words of filler before the span and between its copies (0 allowed)
   * @param maxWordLength letters of the longest word (words have 1 to this many)
   */
  public InductionText(Tokenizer tokenizer, int minSpanWords, int maxSpanWords, int maxFillerWords,
      int maxWordLength) {
    if (minSpanWords < 1 || maxSpanWords < minSpanWords) {
      throw new IllegalArgumentException("span words must satisfy 1 <= min <= max, got " + minSpanWords + ".."
          + maxSpanWords);
    }
    if (maxFillerWords < 0 || maxWordLength < 1) {
      throw new IllegalArgumentException("maxFillerWords must be >= 0 and maxWordLength >= 1, got "
          + maxFillerWords + " and " + maxWordLength);
    }
    this.tokenizer = tokenizer;
    this.minSpanWords = minSpanWords;
    this.maxSpanWords = maxSpanWords;
    this.maxFillerWords = maxFillerWords;
    this.maxWordLength = maxWordLength;
  }

  /** The default shape: spans of 2-6 words of 1-6 letters, up to 6 filler words on each side. */
  public static InductionText defaults(Tokenizer tokenizer) {
    return new InductionText(tokenizer, 2, 6, 6, 6);
  }

  /** The longest sequence this generator can produce, in tokens. */
  public int maxLength() {
    return 1 + (2 * maxSpanWords + 2 * maxFillerWords) * maxWordLength;
  }

  /** Draws one sequence: BOS, filler, span, filler, span (labelled after its first piece). */
  public Sequence next(Random random) {
    int[] before = words(random, random.nextInt(maxFillerWords + 1));
    int[] span = words(random, minSpanWords + random.nextInt(maxSpanWords - minSpanWords + 1));
    int[] between = words(random, random.nextInt(maxFillerWords + 1));
    int n = 1 + before.length + span.length + between.length + span.length;
    long[] ids = new long[n];
    long[] labels = new long[n];
    Arrays.fill(labels, OptLM.IGNORE_INDEX);
    int at = 0;
    ids[at++] = tokenizer.bosId();
    for (int[] part : new int[][] {before, span, between}) {
      for (int id : part) {
        ids[at++] = id;
      }
    }
    for (int i = 0; i < span.length; i++) {
      ids[at] = span[i];
      if (i > 0) {
        labels[at] = span[i];
      }
      at++;
    }
    return new Sequence(ids, labels);
  }

  private int[] words(Random random, int count) {
    return IntStream.range(0, count)
        .mapToObj(w -> tokenizer.encode(word(random)))
        .flatMapToInt(Arrays::stream)
        .toArray();
  }

  private String word(Random random) {
    int length = 1 + random.nextInt(maxWordLength);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
    }
    return s.toString();
  }
}
