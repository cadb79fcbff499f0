package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A validated, tokenised caption corpus: for every image id one candidate caption and at least
 * one reference caption, each a list of tokens.
 *
 * <p>Entries are kept in sorted id order so that every metric sums in the same, reproducible
 * order. Validation mirrors the asserts of the COCO toolkit ({@code gts.keys() == res.keys()},
 * at least one reference per image) but fails with a message naming the offending id.
 */
public final class CaptionCorpus {

  /**
   * One image: its candidate and its references, already tokenised.
   *
   * @param id the image (or video) id
   * @param candidate the tokens of the generated caption (may be empty)
   * @param references the tokens of each reference caption (at least one reference)
   */
  public record Entry(String id, List<String> candidate, List<List<String>> references) {

    /** Makes defensive, unmodifiable copies. */
    public Entry {
      candidate = List.copyOf(candidate);
      List<List<String>> copies = new ArrayList<>(references.size());
      for (List<String> ref : references) {
        copies.add(List.copyOf(ref));
      }
      references = Collections.unmodifiableList(copies);
    }
  }

  private static final Pattern WHITESPACE = Pattern.compile("(?U)\\s+");

  private final List<Entry> entries;

  private CaptionCorpus(List<Entry> entries) {
    this.entries = Collections.unmodifiableList(entries);
  }

  /**
   * Tokenises raw captions with {@code tokenizer} (as the COCO toolkit runs PTBTokenizer on both
   * the ground truth and the results before scoring).
   *
   * @param references reference captions per image id; each list must be non-empty
   * @param candidates one generated caption per image id; same ids as {@code references}
   * @throws IllegalArgumentException for mismatched ids, an empty reference list or a null
   *     caption, naming the id
   */
  public static CaptionCorpus tokenize(
      Map<String, List<String>> references, Map<String, String> candidates, PtbTokenizer tokenizer) {
    Objects.requireNonNull(tokenizer, "tokenizer");
    return build(references, candidates, tokenizer::tokenize);
  }

  /**
   * Splits already tokenised captions on whitespace, as the COCO toolkit's scorers do with the
   * space-joined output of its tokenizer.
   *
   * @throws IllegalArgumentException as {@link #tokenize}
   */
  public static CaptionCorpus ofTokenizedStrings(
      Map<String, List<String>> references, Map<String, String> candidates) {
    return build(references, candidates, CaptionCorpus::splitOnWhitespace);
  }

  private static CaptionCorpus build(
      Map<String, List<String>> references,
      Map<String, String> candidates,
      Function<String, List<String>> tokenizer) {
    List<String> ids = Inputs.matchedIds(references, candidates, "references", "candidate");
    List<Entry> entries = new ArrayList<>(ids.size());
    for (String id : ids) {
      List<String> refs = references.get(id);
      if (refs.isEmpty()) {
        throw new IllegalArgumentException("id '" + id + "' has an empty reference list");
      }
      List<List<String>> refTokens = new ArrayList<>(refs.size());
      for (int i = 0; i < refs.size(); i++) {
        String ref = refs.get(i);
        if (ref == null) {
          throw new IllegalArgumentException("id '" + id + "': reference " + i + " is null");
        }
        refTokens.add(tokenizer.apply(ref));
      }
      entries.add(new Entry(id, tokenizer.apply(candidates.get(id)), refTokens));
    }
    return new CaptionCorpus(entries);
  }

  /**
   * Wraps token lists directly.
   *
   * @param references reference token lists per image id; each list must be non-empty
   * @param candidates the candidate tokens per image id; same ids as {@code references}
   * @throws IllegalArgumentException for mismatched ids, an empty reference list, a null list, or
   *     a token that is empty or contains whitespace, naming the id
   */
  public static CaptionCorpus ofTokens(
      Map<String, List<List<String>>> references, Map<String, List<String>> candidates) {
    List<String> ids = Inputs.matchedIds(references, candidates, "references", "candidate");
    List<Entry> entries = new ArrayList<>(ids.size());
    for (String id : ids) {
      List<List<String>> refs = references.get(id);
      if (refs.isEmpty()) {
        throw new IllegalArgumentException("id '" + id + "' has an empty reference list");
      }
      for (int i = 0; i < refs.size(); i++) {
        checkTokens(id, "reference " + i, refs.get(i));
      }
      checkTokens(id, "candidate", candidates.get(id));
      entries.add(new Entry(id, candidates.get(id), refs));
    }
    return new CaptionCorpus(entries);
  }

  /** The images, in sorted id order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The number of images. */
  public int size() {
    return entries.size();
  }

  private static void checkTokens(String id, String what, List<String> tokens) {
    if (tokens == null) {
      throw new IllegalArgumentException("id '" + id + "': " + what + " is null");
    }
    for (String token : tokens) {
      if (token == null || token.isEmpty() || WHITESPACE.matcher(token).find()) {
        throw new IllegalArgumentException(
            "id '" + id + "': " + what + " has an empty, null or whitespace-containing token: '" + token + "'");
      }
    }
  }

  /** Python's {@code str.split()}: split on runs of Unicode whitespace, no empty tokens. */
  static List<String> splitOnWhitespace(String text) {
    List<String> tokens = new ArrayList<>();
    for (String part : WHITESPACE.split(text)) {
      if (!part.isEmpty()) {
        tokens.add(part);
      }
    }
    return tokens;
  }
}
