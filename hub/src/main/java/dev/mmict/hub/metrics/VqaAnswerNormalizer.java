package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The official VQAv2 answer normalisation ({@code vqaEval.py}: {@code processPunctuation} then
 * {@code processDigitArticle}), reproduced step for step, quirks included.
 *
 * <ul>
 *   <li>Punctuation: each of {@code ; : / ' [ ] " ( ) = + \ _ > < @ ` , ?} is deleted if the
 *       original answer has it next to a space or has a comma between two digits anywhere
 *       ("1,000" → "1000"), otherwise replaced by a space. So "don't" → "don t" (the straight
 *       apostrophe is replaced; only the apostrophe-less spellings like "dont" reach the
 *       contraction table).
 *   <li>Periods not followed by a digit are removed ("a dog." → "a dog", "3.5" unchanged). The
 *       official code passes {@code re.UNICODE} (= 32) where Python expects the replacement
 *       count, so at most 32 periods are removed; this class keeps that limit.
 *   <li>Lower-case, split on whitespace, map number words "none", "zero" … "ten" to digits,
 *       drop the articles "a", "an", "the", and map apostrophe-less contractions to their
 *       official spelling ("dont" → "don’t", with the official table's mix of curly and
 *       straight apostrophes); join with single spaces.
 * </ul>
 */
public final class VqaAnswerNormalizer {

  /** The official code's replacement count argument ({@code re.UNICODE == 32}). */
  private static final int PERIOD_STRIP_LIMIT = 32;

  /** Verbatim from the official code, including its odd {@code (?!<=\d)}: any '.' not before a digit. */
  private static final Pattern PERIOD_STRIP = Pattern.compile("(?!<=\\d)(\\.)(?!\\d)");
  private static final Pattern COMMA_STRIP = Pattern.compile("(\\d)(,)(\\d)");
  private static final List<String> PUNCTUATION = List.of(
      ";", ":", "/", "'", "[", "]", "\"", "(", ")", "=", "+", "\\", "_", ">", "<", "@", "`", ",", "?");

  private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
      Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
      Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
      Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
  private static final Set<String> ARTICLES = Set.of("a", "an", "the");

  /**
   * The official contraction table as key/value pairs. Keys with capitals ("Im", "Ive") can
   * never match after lower-casing; they are kept so the table stays the official one.
   */
  private static final String[] CONTRACTION_PAIRS = {
      "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've",
      "couldnt", "couldn't", "couldn'tve", "couldn\u2019t\u2019ve", "couldnt\u2019ve", "couldn\u2019t\u2019ve", "didnt", "didn\u2019t",
      "doesnt", "doesn\u2019t", "dont", "don\u2019t", "hadnt", "hadn\u2019t", "hadnt\u2019ve", "hadn\u2019t\u2019ve",
      "hadn'tve", "hadn\u2019t\u2019ve", "hasnt", "hasn\u2019t", "havent", "haven\u2019t", "hed", "he\u2019d",
      "hed\u2019ve", "he\u2019d\u2019ve", "he\u2019dve", "he\u2019d\u2019ve", "hes", "he\u2019s", "howd", "how\u2019d",
      "howll", "how\u2019ll", "hows", "how\u2019s", "Id\u2019ve", "I\u2019d\u2019ve", "I\u2019dve", "I\u2019d\u2019ve",
      "Im", "I\u2019m", "Ive", "I\u2019ve", "isnt", "isn\u2019t", "itd", "it\u2019d",
      "itd\u2019ve", "it\u2019d\u2019ve", "it\u2019dve", "it\u2019d\u2019ve", "itll", "it\u2019ll", "let\u2019s", "let\u2019s",
      "maam", "ma\u2019am", "mightnt", "mightn\u2019t", "mightnt\u2019ve", "mightn\u2019t\u2019ve", "mightn\u2019tve", "mightn\u2019t\u2019ve",
      "mightve", "might\u2019ve", "mustnt", "mustn\u2019t", "mustve", "must\u2019ve", "neednt", "needn\u2019t",
      "notve", "not\u2019ve", "oclock", "o\u2019clock", "oughtnt", "oughtn\u2019t", "ow\u2019s\u2019at", "\u2019ow\u2019s\u2019at",
      "\u2019ows\u2019at", "\u2019ow\u2019s\u2019at", "\u2019ow\u2019sat", "\u2019ow\u2019s\u2019at", "shant", "shan\u2019t", "shed\u2019ve", "she\u2019d\u2019ve",
      "she\u2019dve", "she\u2019d\u2019ve", "she\u2019s", "she\u2019s", "shouldve", "should\u2019ve", "shouldnt", "shouldn\u2019t",
      "shouldnt\u2019ve", "shouldn\u2019t\u2019ve", "shouldn\u2019tve", "shouldn\u2019t\u2019ve", "somebody\u2019d", "somebodyd", "somebodyd\u2019ve", "somebody\u2019d\u2019ve",
      "somebody\u2019dve", "somebody\u2019d\u2019ve", "somebodyll", "somebody\u2019ll", "somebodys", "somebody\u2019s", "someoned", "someone\u2019d",
      "someoned\u2019ve", "someone\u2019d\u2019ve", "someone\u2019dve", "someone\u2019d\u2019ve", "someonell", "someone\u2019ll", "someones", "someone\u2019s",
      "somethingd", "something\u2019d", "somethingd\u2019ve", "something\u2019d\u2019ve", "something\u2019dve", "something\u2019d\u2019ve", "somethingll", "something\u2019ll",
      "thats", "that\u2019s", "thered", "there\u2019d", "thered\u2019ve", "there\u2019d\u2019ve", "there\u2019dve", "there\u2019d\u2019ve",
      "therere", "there\u2019re", "theres", "there\u2019s", "theyd", "they\u2019d", "theyd\u2019ve", "they\u2019d\u2019ve",
      "they\u2019dve", "they\u2019d\u2019ve", "theyll", "they\u2019ll", "theyre", "they\u2019re", "theyve", "they\u2019ve",
      "twas", "\u2019twas", "wasnt", "wasn\u2019t", "wed\u2019ve", "we\u2019d\u2019ve", "we\u2019dve", "we\u2019d\u2019ve",
      "weve", "we've", "werent", "weren\u2019t", "whatll", "what\u2019ll", "whatre", "what\u2019re",
      "whats", "what\u2019s", "whatve", "what\u2019ve", "whens", "when\u2019s", "whered", "where\u2019d",
      "wheres", "where's", "whereve", "where\u2019ve", "whod", "who\u2019d", "whod\u2019ve", "who\u2019d\u2019ve",
      "who\u2019dve", "who\u2019d\u2019ve", "wholl", "who\u2019ll", "whos", "who\u2019s", "whove", "who've",
      "whyll", "why\u2019ll", "whyre", "why\u2019re", "whys", "why\u2019s", "wont", "won\u2019t",
      "wouldve", "would\u2019ve", "wouldnt", "wouldn\u2019t", "wouldnt\u2019ve", "wouldn\u2019t\u2019ve", "wouldn\u2019tve", "wouldn\u2019t\u2019ve",
      "yall", "y\u2019all", "yall\u2019ll", "y\u2019all\u2019ll", "y\u2019allll", "y\u2019all\u2019ll", "yall\u2019d\u2019ve", "y\u2019all\u2019d\u2019ve",
      "y\u2019alld\u2019ve", "y\u2019all\u2019d\u2019ve", "y\u2019all\u2019dve", "y\u2019all\u2019d\u2019ve", "youd", "you\u2019d", "youd\u2019ve", "you\u2019d\u2019ve",
      "you\u2019dve", "you\u2019d\u2019ve", "youll", "you\u2019ll", "youre", "you\u2019re", "youve", "you\u2019ve",
  };
  private static final Map<String, String> CONTRACTIONS = new HashMap<>();

  static {
    for (int i = 0; i < CONTRACTION_PAIRS.length; i += 2) {
      CONTRACTIONS.put(CONTRACTION_PAIRS[i], CONTRACTION_PAIRS[i + 1]);
    }
  }

  private VqaAnswerNormalizer() {}

  /**
   * The full normalisation the official code applies to a predicted answer: newlines and tabs
   * to spaces, strip, {@link #processPunctuation}, {@link #processDigitArticle}.
   */
  public static String normalizeAnswer(String answer) {
    String text = answer.replace('\n', ' ').replace('\t', ' ').strip();
    return processDigitArticle(processPunctuation(text));
  }

  /** The official {@code processPunctuation}. */
  public static String processPunctuation(String in) {
    String out = in;
    boolean digitComma = COMMA_STRIP.matcher(in).find();
    for (String p : PUNCTUATION) {
      // The official code tests the original input, not the partly processed text.
      if (in.contains(p + " ") || in.contains(" " + p) || digitComma) {
        out = out.replace(p, "");
      } else {
        out = out.replace(p, " ");
      }
    }
    Matcher m = PERIOD_STRIP.matcher(out);
    StringBuilder sb = new StringBuilder();
    int replaced = 0;
    while (replaced < PERIOD_STRIP_LIMIT && m.find()) {
      m.appendReplacement(sb, "");
      replaced++;
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The official {@code processDigitArticle}. */
  public static String processDigitArticle(String in) {
    List<String> words = new ArrayList<>();
    for (String word : splitOnWhitespace(in.toLowerCase(Locale.ROOT))) {
      String mapped = NUMBER_WORDS.getOrDefault(word, word);
      if (!ARTICLES.contains(mapped)) {
        words.add(mapped);
      }
    }
    for (int i = 0; i < words.size(); i++) {
      String contraction = CONTRACTIONS.get(words.get(i));
      if (contraction != null) {
        words.set(i, contraction);
      }
    }
    return String.join(" ", words);
  }

  /** Python's {@code str.split()} with no argument. */
  private static List<String> splitOnWhitespace(String text) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean space = Character.isWhitespace(c) || Character.isSpaceChar(c);
      if (space && start >= 0) {
        words.add(text.substring(start, i));
        start = -1;
      } else if (!space && start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      words.add(text.substring(start));
    }
    return words;
  }

  /** Number of entries in the contraction table (for tests against the official count). */
  static int contractionCount() {
    return CONTRACTIONS.size();
  }
}
