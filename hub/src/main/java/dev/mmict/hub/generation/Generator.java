package dev.mmict.hub.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes text after a soft prefix with a {@link CausalLm}: greedy or beam search, batched.
 *
 * <p>Shape letters: B batch rows, S prefix positions, H hidden size, t tokens generated so
 * far, R sequences being extended this step (≤ B × beams), V vocabulary.
 *
 * <p>Every step runs the LM on {@code [prefix ; embedTokens(generated so far)]} with the prefix
 * mask extended by ones, for all live sequences of all rows at once, and reads the logits of the
 * last position. The prefix must be left-padded so that position S-1 is real in every row.
 * There is no KV cache: step t costs a full forward over S + t positions, so a whole generation
 * costs about {@code maxNewTokens} forwards of length S + maxNewTokens instead of one prefix
 * pass plus one position per step — acceptable for the tiny LMs this project trains, the first
 * thing to add for larger ones. Rows (and hypotheses) that finish leave the batch, so later
 * steps run on fewer sequences.
 *
 * <p>Beam search follows Hugging Face's {@code BeamSearchScorer}: per row, the best
 * {@code 2 × numBeams} continuations of all its beams are ranked; an EOS among the first
 * {@code numBeams} of them closes a hypothesis scored {@code sum logprob / length^lengthPenalty}
 * (length = generated tokens including EOS); the first {@code numBeams} non-EOS continuations
 * become the next beams; a row stops by {@link GenerationConfig#earlyStopping()}'s rule; at
 * {@code maxNewTokens} the live beams join the hypotheses. Two deliberate differences: the first
 * step starts from one beam per row (HF starts {@code numBeams} copies, all but one at -1e9),
 * and a row whose candidates run out keeps fewer beams instead of failing. Ties are broken
 * deterministically: equal scores rank by beam, then by lower token id; among equally scored
 * hypotheses the one finished first wins.
 *
 * <p>Call it outside any {@code GradientCollector}; every array it creates is closed before it
 * returns.
 */
public final class Generator {
  private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

  private Generator() { }

  /** One sequence being extended: the batch row it belongs to, its tokens, its log-probability. */
  private record Seq(int row, int[] tokens, double score) {
    Seq append(int token, double newScore) {
      int[] t = Arrays.copyOf(tokens, tokens.length + 1);
      t[tokens.length] = token;
      return new Seq(row, t, newScore);
    }
  }

  /**
   * Generates a continuation of every row's prefix.
   *
   * @param prefixEmbeds [B, S, H] left-padded soft prefix (demonstrations, TGV, prompt
   *     embeddings already assembled)
   * @param prefixMask [B, S] 1 for real positions, 0 for padding (any numeric dtype; the
   *     extension for generated tokens uses the same dtype)
   * @return per row, the generated token ids without EOS
   */
  public static List<int[]> generate(CausalLm lm, NDArray prefixEmbeds, NDArray prefixMask,
      GenerationConfig cfg) {
    long start = System.nanoTime();
    List<int[]> out = cfg.numBeams() == 1
        ? greedy(lm, prefixEmbeds, prefixMask, cfg)
        : beamSearch(lm, prefixEmbeds, prefixMask, cfg);
    LOG.debug("generated {} rows with {} beam(s) in {} ms", out.size(), cfg.numBeams(),
        (System.nanoTime() - start) / 1_000_000);
    return out;
  }

  /** Right-pads generated sequences with {@code padId} into a [B, longest] matrix. */
  public static int[][] toPaddedIds(List<int[]> sequences, int padId) {
    int longest = sequences.stream().mapToInt(s -> s.length).max().orElse(0);
    int[][] out = new int[sequences.size()][longest];
    for (int i = 0; i < out.length; i++) {
      Arrays.fill(out[i], padId);
      int[] s = sequences.get(i);
      System.arraycopy(s, 0, out[i], 0, s.length);
    }
    return out;
  }

  /** Greedy decoding: each row takes the highest logit (lowest id on ties) until EOS or max. */
  static List<int[]> greedy(CausalLm lm, NDArray prefixEmbeds, NDArray prefixMask,
      GenerationConfig cfg) {
    int batch = checkInputs(prefixEmbeds, prefixMask);
    int eos = cfg.eosId();
    int[][] out = new int[batch][];
    List<Seq> running = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      running.add(new Seq(b, new int[0], 0));
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      Stepper stepper = new Stepper(lm, prefixEmbeds, prefixMask, eos);
      for (int t = 0; t < cfg.maxNewTokens() && !running.isEmpty(); t++) {
        float[] logits = stepper.lastLogits(running, t, false); // [R·V]
        int vocab = stepper.vocab;
        boolean eosAllowed = t >= cfg.minNewTokens();
        List<Seq> next = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
          Seq s = running.get(i);
          int best = -1;
          float bestLogit = Float.NEGATIVE_INFINITY;
          for (int v = 0; v < vocab; v++) {
            float x = logits[i * vocab + v];
            if (x > bestLogit && (v != eos || eosAllowed)) {
              best = v;
              bestLogit = x;
            }
          }
          if (best < 0 || best == eos) {
            out[s.row()] = s.tokens(); // finished (best < 0: every allowed logit was -inf)
          } else {
            Seq grown = s.append(best, 0);
            if (t + 1 == cfg.maxNewTokens()) {
              out[s.row()] = grown.tokens();
            } else {
              next.add(grown);
            }
          }
        }
        running = next;
      }
    }
    return Arrays.asList(out);
  }

  /** Beam search with {@code cfg.numBeams()} beams per row (1 gives the greedy result). */
  static List<int[]> beamSearch(CausalLm lm, NDArray prefixEmbeds, NDArray prefixMask,
      GenerationConfig cfg) {
    int batch = checkInputs(prefixEmbeds, prefixMask);
    int beams = cfg.numBeams();
    int eos = cfg.eosId();
    BeamHypotheses[] hyps = new BeamHypotheses[batch];
    List<Seq> running = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      hyps[b] = new BeamHypotheses(beams, cfg.lengthPenalty(), cfg.earlyStopping());
      running.add(new Seq(b, new int[0], 0));
    }
    Candidates cand = new Candidates(2 * beams);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      Stepper stepper = new Stepper(lm, prefixEmbeds, prefixMask, eos);
      for (int t = 0; t < cfg.maxNewTokens() && !running.isEmpty(); t++) {
        float[] logProbs = stepper.lastLogits(running, t, true); // [R·V]
        int vocab = stepper.vocab;
        boolean eosAllowed = t >= cfg.minNewTokens();
        int length = t + 1; // generated tokens once this step's token is appended
        List<Seq> next = new ArrayList<>();
        int first = 0;
        while (first < running.size()) {
          int row = running.get(first).row();
          int end = first;
          while (end < running.size() && running.get(end).row() == row) {
            end++;
          }
          cand.collect(running, first, end, logProbs, vocab, eos, eosAllowed);
          int kept = 0;
          for (int r = 0; r < cand.count && kept < beams; r++) {
            Seq source = running.get(cand.seq[r]);
            if (cand.token[r] == eos) {
              if (r < beams) { // HF: an EOS ranked below numBeams closes nothing
                hyps[row].add(source.tokens(), cand.score[r], length);
              }
            } else {
              next.add(source.append(cand.token[r], cand.score[r]));
              kept++;
            }
          }
          if (kept == 0 || hyps[row].isDone(cand.score[0], length)) {
            next.subList(next.size() - kept, next.size()).clear(); // the row leaves the batch
          }
          first = end;
        }
        if (t + 1 == cfg.maxNewTokens()) {
          for (Seq s : next) {
            hyps[s.row()].add(s.tokens(), s.score(), s.tokens().length);
          }
          next.clear();
        }
        running = next;
      }
    }
    List<int[]> out = new ArrayList<>(batch);
    for (BeamHypotheses h : hyps) {
      out.add(h.best());
    }
    return out;
  }

  /** The best {@code capacity} (sequence, token) continuations of one row, best first. */
  private static final class Candidates {
    final double[] score;
    final int[] seq;
    final int[] token;
    int count;

    Candidates(int capacity) {
      score = new double[capacity];
      seq = new int[capacity];
      token = new int[capacity];
    }

    /**
     * Ranks the continuations of running sequences {@code [first, end)}; visited in (sequence,
     * token) order and inserted after equal scores, so ties keep that order. -inf (and NaN)
     * scores are never candidates.
     */
    void collect(List<Seq> running, int first, int end, float[] logProbs, int vocab, int eos,
        boolean eosAllowed) {
      count = 0;
      int cap = score.length;
      for (int i = first; i < end; i++) {
        double base = running.get(i).score();
        for (int v = 0; v < vocab; v++) {
          if (v == eos && !eosAllowed) {
            continue;
          }
          double s = base + logProbs[i * vocab + v];
          if (!(s > Double.NEGATIVE_INFINITY) || (count == cap && !(s > score[cap - 1]))) {
            continue;
          }
          int p = count < cap ? count++ : cap - 1;
          while (p > 0 && score[p - 1] < s) {
            score[p] = score[p - 1];
            seq[p] = seq[p - 1];
            token[p] = token[p - 1];
            p--;
          }
          score[p] = s;
          seq[p] = i;
          token[p] = v;
        }
      }
    }
  }

  /** Runs the LM for the live sequences and hands back last-position scores as Java floats. */
  private static final class Stepper {
    private final CausalLm lm;
    private final NDArray prefixEmbeds;
    private final NDArray prefixMask;
    private final int eos;
    private int[] rows = new int[0];
    private NDArray embeds; // [R, S, H] prefix rows of the live sequences
    private NDArray mask; // [R, S]
    int vocab = -1;

    Stepper(CausalLm lm, NDArray prefixEmbeds, NDArray prefixMask, int eos) {
      this.lm = lm;
      this.prefixEmbeds = prefixEmbeds;
      this.prefixMask = prefixMask;
      this.eos = eos;
    }

    /**
     * Logits (or log-probabilities) at the last position for each sequence, flattened
     * [R · V] in the order of {@code seqs}; all of them have {@code t} tokens.
     */
    float[] lastLogits(List<Seq> seqs, int t, boolean logSoftmax) {
      selectRows(seqs.stream().mapToInt(Seq::row).toArray());
      int r = seqs.size();
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray inputs = embeds; // [R, S, H]
        NDArray fullMask = mask; // [R, S]
        if (t > 0) {
          long[] ids = new long[r * t];
          for (int i = 0; i < r; i++) {
            int[] tok = seqs.get(i).tokens();
            for (int j = 0; j < t; j++) {
              ids[i * t + j] = tok[j];
            }
          }
          NDArray tokens = lm.embedTokens(
              embeds.getManager().create(ids, new Shape(r, t))); // [R, t, H]
          inputs = NDArrays.concat(new NDList(embeds, tokens), 1); // [R, S+t, H]
          NDArray ones = mask.getManager().ones(new Shape(r, t), mask.getDataType()); // [R, t]
          fullMask = NDArrays.concat(new NDList(mask, ones), 1); // [R, S+t]
        }
        NDArray logits = lm.forward(inputs, fullMask); // [R, S+t, V]
        Shape s = logits.getShape();
        if (s.dimension() != 3 || s.get(0) != r || s.get(1) != inputs.getShape().get(1)) {
          throw new IllegalStateException("CausalLm.forward returned logits of shape " + s
              + " for inputs of shape " + inputs.getShape() + "; expected [R, N, V]");
        }
        vocab = Math.toIntExact(s.get(2));
        if (eos >= vocab) {
          throw new IllegalArgumentException("generation: eosId " + eos
              + " is outside the LM's vocabulary of " + vocab);
        }
        NDArray last = logits.get(new NDIndex(":, -1, :")); // [R, V]
        if (last.getDataType() != DataType.FLOAT32) {
          last = last.toType(DataType.FLOAT32, false); // [R, V]
        }
        if (logSoftmax) {
          last = last.logSoftmax(-1); // [R, V]
        }
        return last.toFloatArray();
      }
    }

    /** Gathers the prefix rows of the live sequences when they change (rows leave or beams fork). */
    private void selectRows(int[] wanted) {
      if (Arrays.equals(wanted, rows)) {
        return;
      }
      if (embeds != null && embeds != prefixEmbeds) {
        embeds.close();
        mask.close();
      }
      boolean identity = wanted.length == prefixEmbeds.getShape().get(0);
      for (int i = 0; identity && i < wanted.length; i++) {
        identity = wanted[i] == i;
      }
      if (identity) {
        embeds = prefixEmbeds;
        mask = prefixMask;
      } else {
        long[] idx = Arrays.stream(wanted).asLongStream().toArray();
        try (NDArray index = prefixEmbeds.getManager().create(idx)) { // [R]
          embeds = prefixEmbeds.get(index); // [R, S, H]
          mask = prefixMask.get(index); // [R, S]
        }
      }
      rows = wanted;
    }
  }

  /** Checks shapes and left padding; returns B. */
  private static int checkInputs(NDArray prefixEmbeds, NDArray prefixMask) {
    Shape e = prefixEmbeds.getShape();
    Shape m = prefixMask.getShape();
    if (e.dimension() != 3 || m.dimension() != 2 || e.get(0) != m.get(0) || e.get(1) != m.get(1)) {
      throw new IllegalArgumentException("generation: prefixEmbeds must be [B, S, H] and "
          + "prefixMask [B, S]; got " + e + " and " + m);
    }
    if (e.get(1) < 1) {
      throw new IllegalArgumentException("generation: empty prefix (S = 0)");
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      float[] last = prefixMask.get(new NDIndex(":, -1")) // [B]
          .toType(DataType.FLOAT32, false).toFloatArray();
      for (int b = 0; b < last.length; b++) {
        if (last[b] == 0) {
          throw new IllegalArgumentException("generation: prefixMask row " + b
              + " ends in padding; the prefix must be left-padded (last position real)");
        }
      }
    }
    return Math.toIntExact(e.get(0));
  }
}
