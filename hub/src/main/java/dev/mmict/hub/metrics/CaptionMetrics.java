package dev.mmict.hub.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The COCO caption metrics in one call: PTB-tokenise, then BLEU-1..4, ROUGE-L and CIDEr-D.
 * METEOR is not computed (it needs the external METEOR jar and WordNet).
 */
public final class CaptionMetrics {

  /** Result keys, in the order of the returned map. */
  public static final List<String> KEYS = List.of("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L", "CIDEr");

  private CaptionMetrics() {}

  /**
   * Scores generated captions against reference captions.
   *
   * @param references reference captions per image id (raw text; at least one per id)
   * @param candidates one generated caption per image id (raw text; same ids)
   * @return {@link #KEYS} → corpus score, in that order; "CIDEr" holds CIDEr-D, as in the toolkit
   * @throws IllegalArgumentException for mismatched ids or an empty reference list, naming the id
   */
  public static Map<String, Double> compute(Map<String, List<String>> references, Map<String, String> candidates) {
    return compute(CaptionCorpus.tokenize(references, candidates, new PtbTokenizer()));
  }

  /** Scores an already tokenised corpus; same keys as {@link #compute(Map, Map)}. */
  public static Map<String, Double> compute(CaptionCorpus corpus) {
    BleuScore bleu = new Bleu(4).score(corpus);
    Map<String, Double> result = new LinkedHashMap<>();
    for (int n = 1; n <= 4; n++) {
      result.put("BLEU-" + n, bleu.bleu(n));
    }
    result.put("ROUGE-L", new RougeL().score(corpus).mean());
    result.put("CIDEr", new CiderD().score(corpus).mean());
    return result;
  }
}
