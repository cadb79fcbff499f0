package dev.mmict.hub.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  // Vocabulary of the hand-made tables.
  private static final int V = 8;
  private static final int EOS = 0;
  private static final int PAD = 1;
  private static final int START = 2;
  private static final int A = 3;
  private static final int B = 4;
  private static final int C = 5;
  private static final int D = 6;
  /** Logit of every token a table row does not list: e^-30 is negligible next to any listed p. */
  private static final float UNLISTED = -30f;

  private NDManager manager;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  /** A table of log-probabilities; {@code rows[i]} = {from, to1, p1, to2, p2, …}. */
  private static float[][] table(double[]... rows) {
    float[][] t = new float[V][V];
    for (float[] r : t) {
      java.util.Arrays.fill(r, UNLISTED);
    }
    for (double[] r : rows) {
      for (int i = 1; i < r.length; i += 2) {
        t[(int) r[0]][(int) r[i]] = (float) Math.log(r[i + 1]);
      }
    }
    return t;
  }

  /** A one-row prefix that is the single state token START. */
  private NDArray[] startPrefix(int vocab) {
    return prefix(vocab, new int[][] {{START}});
  }

  /**
   * Left-padded prefixes: row b holds the one-hots of {@code rows[b]}, preceded by padding
   * positions filled with garbage (so a generator that ignored the mask would see it).
   */
  private NDArray[] prefix(int vocab, int[][] rows) {
    int s = 0;
    for (int[] r : rows) {
      s = Math.max(s, r.length);
    }
    float[] emb = new float[rows.length * s * vocab];
    float[] mask = new float[rows.length * s];
    for (int b = 0; b < rows.length; b++) {
      int pad = s - rows[b].length;
      for (int n = 0; n < s; n++) {
        int at = (b * s + n) * vocab;
        if (n < pad) {
          for (int v = 0; v < vocab; v++) {
            emb[at + v] = 0.37f + 0.11f * v;
          }
        } else {
          emb[at + rows[b][n - pad]] = 1f;
          mask[b * s + n] = 1f;
        }
      }
    }
    return new NDArray[] {manager.create(emb, new Shape(rows.length, s, vocab)),
        manager.create(mask, new Shape(rows.length, s))};
  }

  private static GenerationConfig cfg(int maxNew, int minNew, int beams) {
    return new GenerationConfig(maxNew, minNew, beams, EOS, PAD, 1.0, false);
  }

  private List<int[]> run(TableLm lm, NDArray[] prefix, GenerationConfig cfg) {
    return Generator.generate(lm, prefix[0], prefix[1], cfg);
  }

  @Test
  void greedyFollowsTheArgmaxPathAndStopsAtEos() {
    TableLm lm = new TableLm(manager, table(
        new double[] {START, A, .5, B, .3, C, .2},
        new double[] {A, B, .6, EOS, .4},
        new double[] {B, C, .7, A, .3},
        new double[] {C, EOS, .9, D, .1}));
    List<int[]> out = run(lm, startPrefix(V), cfg(10, 0, 1));
    assertEquals(1, out.size());
    assertArrayEquals(new int[] {A, B, C}, out.get(0));
    assertEquals(4, lm.forwardCalls, "three tokens then EOS: four steps, then nothing runs");
  }

  @Test
  void beamSearchFindsTheMoreProbableSequenceGreedyMisses() {
    // Greedy: A (.6) then EOS (.4): P([A]) = .24. Beam keeps B (.4), whose EOS (.95) gives
    // P([B]) = .38; both have length 2, so the length penalty does not matter.
    TableLm lm = new TableLm(manager, table(
        new double[] {START, A, .6, B, .4},
        new double[] {A, EOS, .4, C, .3, D, .3},
        new double[] {B, EOS, .95, C, .025, D, .025},
        new double[] {C, EOS, 1},
        new double[] {D, EOS, 1}));
    assertArrayEquals(new int[] {A}, run(lm, startPrefix(V), cfg(10, 0, 1)).get(0));
    assertArrayEquals(new int[] {B}, run(lm, startPrefix(V), cfg(10, 0, 2)).get(0));
  }

  @Test
  void lengthPenaltyDividesTheSumByLengthToThePower() {
    // [A]+EOS: .55 · .55 = .3025, log = -1.196, length 2.
    // [B, C]+EOS: .45 · .9 · .62 = .2511, log = -1.382, length 3.
    // lp = 1: -1.196 / 2 = -0.598 < -1.382 / 3 = -0.461 → [B, C];
    // lp = 0: -1.196 > -1.382 → [A]. (Greedy takes A and then EOS.)
    TableLm lm = new TableLm(manager, table(
        new double[] {START, A, .55, B, .45},
        new double[] {A, EOS, .55, C, .45},
        new double[] {B, C, .9, EOS, .1},
        new double[] {C, EOS, .62, D, .38},
        new double[] {D, EOS, 1}));
    GenerationConfig beams = cfg(10, 0, 2);
    assertArrayEquals(new int[] {B, C}, run(lm, startPrefix(V), beams).get(0));
    assertArrayEquals(new int[] {A},
        run(lm, startPrefix(V), beams.withLengthPenalty(0)).get(0));
    assertArrayEquals(new int[] {A}, run(lm, startPrefix(V), cfg(10, 0, 1)).get(0));
  }

  @Test
  void earlyStoppingStopsAtNumBeamsHypothesesWhileTheDefaultRuleKeepsSearching() {
    // After step 2 the finished hypotheses are [A] (log .3025 / 2 = -0.598) and [B, C]
    // (log(.45·.9·.5) / 3 = -0.532): earlyStopping stops there and returns [B, C]. The default
    // rule sees the best running beam [B, C, D] at -1.597 / 3 = -0.532 > -0.598 and goes on,
    // finding [B, C, D]+EOS at -1.597 / 4 = -0.399, the best.
    TableLm lm = new TableLm(manager, table(
        new double[] {START, A, .55, B, .45},
        new double[] {A, EOS, .55, C, .45},
        new double[] {B, C, .9, EOS, .1},
        new double[] {C, EOS, .5, D, .5},
        new double[] {D, EOS, 1}));
    assertArrayEquals(new int[] {B, C, D}, run(lm, startPrefix(V), cfg(10, 0, 2)).get(0));
    assertArrayEquals(new int[] {B, C}, run(lm, startPrefix(V),
        new GenerationConfig(10, 0, 2, EOS, PAD, 1.0, true)).get(0));
  }

  @Test
  void minNewTokensForbidsEarlyEos() {
    // EOS is always the most likely token; A the only other one.
    TableLm lm = new TableLm(manager, table(
        new double[] {START, EOS, .6, A, .4},
        new double[] {A, EOS, .7, A, .3}));
    assertArrayEquals(new int[] {}, run(lm, startPrefix(V), cfg(10, 0, 1)).get(0));
    assertArrayEquals(new int[] {A, A, A}, run(lm, startPrefix(V), cfg(10, 3, 1)).get(0));
    // Beams, at least 2: [A, A]+EOS scores log(.4·.3·.7)/3 = -0.826, better than any longer
    // run of A (each further A multiplies by .3: [A, A, A]+EOS = -0.920).
    assertArrayEquals(new int[] {A, A}, run(lm, startPrefix(V), cfg(10, 2, 2)).get(0));
    // min = max: the row is cut at max before EOS is ever allowed.
    assertArrayEquals(new int[] {A, A}, run(lm, startPrefix(V), cfg(2, 2, 3)).get(0));
  }

  @Test
  void maxNewTokensCutsRowsThatNeverEnd() {
    TableLm lm = new TableLm(manager, table(
        new double[] {START, A, .99},
        new double[] {A, A, .99}));
    assertArrayEquals(new int[] {A, A, A, A}, run(lm, startPrefix(V), cfg(4, 0, 1)).get(0));
    assertEquals(4, lm.forwardCalls);
    assertArrayEquals(new int[] {A, A, A, A}, run(lm, startPrefix(V), cfg(4, 0, 3)).get(0));
  }

  /**
   * Logits {@code count · v - v²/2}, where count = positions the mask admits up to here: the
   * argmax is the count. A row with L real prefix positions therefore generates L, L+1, …
   * until it produces the EOS id. Checks the mask's alignment with left padding and its
   * extension by ones for generated tokens.
   */
  @Test
  void leftPaddedRowsWithDifferentLengthsCountOnlyTheirRealPositions() {
    int vocab = 12;
    int eos = 7;
    float[][] own = new float[vocab][vocab];
    float[][] ctx = new float[vocab][vocab];
    for (int u = 0; u < vocab; u++) {
      for (int v = 0; v < vocab; v++) {
        own[u][v] = -0.5f * v * v;
        ctx[u][v] = v;
      }
    }
    TableLm lm = new TableLm(manager, own, ctx);
    NDArray[] p = prefix(vocab, new int[][] {{3}, {3, 9, 9, 4}, {5, 5}});
    List<int[]> out = Generator.generate(lm, p[0], p[1],
        new GenerationConfig(10, 0, 1, eos, PAD, 1.0, false));
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, out.get(0));
    assertArrayEquals(new int[] {4, 5, 6}, out.get(1));
    assertArrayEquals(new int[] {2, 3, 4, 5, 6}, out.get(2));
    // The short row finishes last: 6 tokens + EOS = 7 steps; the others left earlier.
    assertEquals(7, lm.forwardCalls);
    out = Generator.generate(lm, p[0], p[1], new GenerationConfig(3, 0, 1, eos, PAD, 1.0, false));
    assertArrayEquals(new int[] {1, 2, 3}, out.get(0));
    assertArrayEquals(new int[] {4, 5, 6}, out.get(1));
    assertArrayEquals(new int[] {2, 3, 4}, out.get(2));
    assertArrayEquals(new int[][] {{1, 2, 3}, {4, 5, 6}, {2, 3, 4}},
        Generator.toPaddedIds(out, PAD));
  }

  /** Random log-prob tables over 10 tokens whose output also depends on masked-in context. */
  private TableLm randomLm(long seed, boolean withContext) {
    SplittableRandom rng = new SplittableRandom(seed);
    int vocab = 10;
    float[][] own = new float[vocab][vocab];
    float[][] ctx = new float[vocab][vocab];
    for (int u = 0; u < vocab; u++) {
      for (int v = 0; v < vocab; v++) {
        own[u][v] = (float) (rng.nextDouble() * 4 - 2);
        ctx[u][v] = withContext ? (float) (rng.nextDouble() - 0.5) : 0f;
      }
      own[u][EOS] -= 1f; // rows usually run a few tokens before ending
    }
    return new TableLm(manager, own, ctx);
  }

  @Test
  void batchRowsMatchRunningEachRowAlone() {
    int[][] rows = {{2, 5}, {7, 3, 3, 8, 4}, {6}};
    for (long seed = 0; seed < 6; seed++) {
      TableLm lm = randomLm(seed, true);
      for (GenerationConfig c : new GenerationConfig[] {cfg(6, 0, 1), cfg(6, 2, 1), cfg(6, 0, 3),
          cfg(7, 2, 4).withLengthPenalty(0.5)}) {
        NDArray[] batch = prefix(10, rows);
        List<int[]> together = Generator.generate(lm, batch[0], batch[1], c);
        for (int b = 0; b < rows.length; b++) {
          NDArray[] alone = prefix(10, new int[][] {rows[b]});
          assertArrayEquals(Generator.generate(lm, alone[0], alone[1], c).get(0), together.get(b),
              "seed " + seed + ", row " + b + ", " + c);
        }
      }
    }
  }

  @Test
  void oneBeamSearchEqualsGreedy() {
    int[][] rows = {{2, 5}, {7, 3, 3, 8, 4}, {6}, {9, 9}};
    int differentLengths = 0;
    for (long seed = 0; seed < 20; seed++) {
      TableLm lm = randomLm(100 + seed, seed % 2 == 0);
      NDArray[] p = prefix(10, rows);
      GenerationConfig c = cfg(8, (int) (seed % 3), 1);
      List<int[]> greedy = Generator.greedy(lm, p[0], p[1], c);
      List<int[]> beam = Generator.beamSearch(lm, p[0], p[1], c);
      for (int b = 0; b < rows.length; b++) {
        assertArrayEquals(greedy.get(b), beam.get(b), "seed " + seed + ", row " + b);
        assertTrue(greedy.get(b).length >= c.minNewTokens());
      }
      if (greedy.get(0).length != greedy.get(1).length) {
        differentLengths++;
      }
    }
    assertTrue(differentLengths > 0, "the random cases should include rows ending at different steps");
  }

  @Test
  void rejectsRightPaddingAndAnEosOutsideTheVocabulary() {
    TableLm lm = new TableLm(manager, table(new double[] {START, A, 1}));
    NDArray emb = manager.zeros(new Shape(2, 3, V));
    NDArray mask = manager.create(new float[] {1, 1, 1, 1, 1, 0}, new Shape(2, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Generator.generate(lm, emb, mask, cfg(3, 0, 1)));
    assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    NDArray[] p = startPrefix(V);
    e = assertThrows(IllegalArgumentException.class, () -> Generator.generate(lm, p[0], p[1],
        new GenerationConfig(3, 0, 2, V, PAD, 1.0, false)));
    assertTrue(e.getMessage().contains("eosId " + V), e.getMessage());
  }

  @Test
  void configValidationNamesTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> cfg(3, 4, 1))
        .getMessage().contains("minNewTokens"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> cfg(0, 0, 1))
        .getMessage().contains("maxNewTokens"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> cfg(3, 0, 0))
        .getMessage().contains("numBeams"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> cfg(3, 0, 2).withLengthPenalty(Double.NaN)).getMessage().contains("lengthPenalty"));
  }
}
