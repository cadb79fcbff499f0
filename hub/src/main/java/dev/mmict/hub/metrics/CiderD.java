package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as the COCO caption toolkit computes it ({@code ciderD_scorer.py}, {@code df_mode =
 * "corpus"}), reported by the toolkit under the name "CIDEr".
 *
 * <p>Document frequency df(g) of an n-gram g is the number of images whose references contain
 * g; it is taken from the references of the corpus being scored, with N = number of images. A
 * caption becomes, for each order n = 1..4, a vector of weights tf(g) * (log N - log max(1,
 * df(g))). Against one reference, order n contributes
 *
 * <pre>
 *   sim_n = sum_g min(c_g, r_g) * r_g / (|c_n| |r_n|) * exp(-delta^2 / (2 sigma^2))
 * </pre>
 *
 * (the min is CIDEr-D's clipping; the division is skipped when a norm is 0), and the image score
 * is 10 * mean over n of (sum over references of sim_n) / #references. The corpus score is the
 * mean over images.
 *
 * <p>Faithful to the toolkit in two details that look like bugs: the "length" in delta counts
 * the caption's bigrams, not its words (so it is words - 1, and 0 for both empty and one-word
 * captions); and with a single image log N = 0, every weight is 0 and every score is 0.
 */
public final class CiderD {

  private final int maxN;
  private final double sigma;

  /** n = 1..4, sigma = 6: the COCO setting. */
  public CiderD() {
    this(4, 6.0);
  }

  /**
   * CIDEr-D over orders 1..maxN with Gaussian length penalty width sigma.
   *
   * @throws IllegalArgumentException if maxN &lt; 2 (the length term needs bigrams) or sigma &lt;= 0
   */
  public CiderD(int maxN, double sigma) {
    if (maxN < 2) {
      throw new IllegalArgumentException("CIDEr-D order must be at least 2 (length uses bigrams), got " + maxN);
    }
    if (!(sigma > 0)) {
      throw new IllegalArgumentException("CIDEr-D sigma must be positive, got " + sigma);
    }
    this.maxN = maxN;
    this.sigma = sigma;
  }

  /** Scores every image against the document frequencies of this corpus's references. */
  public CorpusScore score(CaptionCorpus corpus) {
    List<List<List<Map<String, Integer>>>> refCounts = new ArrayList<>(corpus.size());
    Map<String, Integer> documentFrequency = new HashMap<>();
    for (CaptionCorpus.Entry entry : corpus.entries()) {
      List<List<Map<String, Integer>>> perRef = new ArrayList<>();
      Set<String> seenInImage = new HashSet<>();
      for (List<String> ref : entry.references()) {
        List<Map<String, Integer>> counts = NGrams.countUpTo(ref, maxN);
        perRef.add(counts);
        for (Map<String, Integer> order : counts) {
          seenInImage.addAll(order.keySet());
        }
      }
      for (String gram : seenInImage) {
        documentFrequency.merge(gram, 1, Integer::sum);
      }
      refCounts.add(perRef);
    }

    double logN = Math.log(corpus.size());
    Map<String, Double> perImage = new LinkedHashMap<>();
    for (int i = 0; i < corpus.size(); i++) {
      CaptionCorpus.Entry entry = corpus.entries().get(i);
      TfIdf candidate = tfIdf(NGrams.countUpTo(entry.candidate(), maxN), documentFrequency, logN);
      double[] sum = new double[maxN];
      for (List<Map<String, Integer>> refCount : refCounts.get(i)) {
        TfIdf reference = tfIdf(refCount, documentFrequency, logN);
        double[] sim = similarity(candidate, reference);
        for (int n = 0; n < maxN; n++) {
          sum[n] += sim[n];
        }
      }
      double mean = 0.0;
      for (double v : sum) {
        mean += v;
      }
      mean /= maxN;
      perImage.put(entry.id(), mean / entry.references().size() * 10.0);
    }
    return CorpusScore.ofItems(perImage);
  }

  /** Per-order tf-idf weights, their L2 norms, and the bigram count used as "length". */
  private record TfIdf(List<Map<String, Double>> weights, double[] norms, int length) {}

  private TfIdf tfIdf(List<Map<String, Integer>> counts, Map<String, Integer> df, double logN) {
    List<Map<String, Double>> weights = new ArrayList<>(maxN);
    double[] norms = new double[maxN];
    int length = 0;
    for (int n = 0; n < maxN; n++) {
      Map<String, Double> w = new HashMap<>();
      for (Map.Entry<String, Integer> gram : counts.get(n).entrySet()) {
        double idf = logN - Math.log(Math.max(1.0, df.getOrDefault(gram.getKey(), 0)));
        double value = gram.getValue() * idf;
        w.put(gram.getKey(), value);
        norms[n] += value * value;
        if (n == 1) {
          // The toolkit accumulates length at ngram index 1, i.e. over bigrams.
          length += gram.getValue();
        }
      }
      norms[n] = Math.sqrt(norms[n]);
      weights.add(w);
    }
    return new TfIdf(weights, norms, length);
  }

  private double[] similarity(TfIdf candidate, TfIdf reference) {
    double delta = candidate.length() - reference.length();
    double penalty = Math.exp(-(delta * delta) / (2 * sigma * sigma));
    double[] val = new double[maxN];
    for (int n = 0; n < maxN; n++) {
      Map<String, Double> ref = reference.weights().get(n);
      for (Map.Entry<String, Double> gram : candidate.weights().get(n).entrySet()) {
        double r = ref.getOrDefault(gram.getKey(), 0.0);
        val[n] += Math.min(gram.getValue(), r) * r;
      }
      if (candidate.norms()[n] != 0 && reference.norms()[n] != 0) {
        val[n] /= candidate.norms()[n] * reference.norms()[n];
      }
      val[n] *= penalty;
    }
    return val;
  }
}
