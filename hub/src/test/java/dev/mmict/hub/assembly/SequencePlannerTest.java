package dev.mmict.hub.assembly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SequencePlannerTest {
  private static final int Q = 2;
  private static final int PAD = 0;
  private static final Visual V = new Visual(null, new float[3], 1);

  // Two dialogs: the first with demos of text lengths 3 and 1, the second with one demo of length 2.
  private static final List<Dialog> DIALOGS = List.of(
      new Dialog(List.of(new Dialog.Demo(V, new int[] {11, 12, 13}), new Dialog.Demo(V, new int[] {14})),
          new Dialog.Query(V, new int[] {20}, new int[] {30, 2})),
      new Dialog(List.of(new Dialog.Demo(V, new int[] {15, 16})),
          new Dialog.Query(V, new int[] {21, 22}, new int[] {31, 32, 2})));

  @Test
  void mmictTrainingPlanFeedsVgtRowsEocTgvPromptAndTarget() {
    SequencePlan p = new SequencePlanner(Q, PAD, false).forTraining(DIALOGS, Mode.MMICT);
    // Items: d0 demo0, d0 demo1, d0 query, d1 demo0, d1 query; texts padded to T = 3.
    assertEquals(5, p.items());
    assertEquals(3, p.textLen());
    assertEquals(5, p.rowsPerItem());
    assertEquals(25, p.eocRow());
    assertEquals(26, p.tableOffset());
    assertArrayEquals(new int[] {2, 4}, p.queryItem());
    int e = 25;
    int t = 26;
    long[] row0 = {
      0 * 5 + 2, 0 * 5 + 3, 0 * 5 + 4, e, // VGT of demo 0 (3 real tokens), EOC
      1 * 5 + 2, e, // VGT of demo 1 (1 real token), EOC
      2 * 5, 2 * 5 + 1, // TGV of the query
      t + 20, // prompt
      t + 30, t + 2 // target then EOS
    };
    assertEquals(row0.length, p.length());
    assertArrayEquals(row0, java.util.Arrays.copyOfRange(p.source(), 0, p.length()));
    long[] labels0 = java.util.Arrays.copyOfRange(p.labels(), 0, p.length());
    assertArrayEquals(new long[] {-100, -100, -100, -100, -100, -100, -100, -100, -100, 30, 2}, labels0);
    // Dialog 1 is shorter and right-padded with the pad token, masked out and unlabelled.
    long[] row1 = {3 * 5 + 2, 3 * 5 + 3, e, 4 * 5, 4 * 5 + 1, t + 21, t + 22, t + 31, t + 32, t + 2, t + PAD};
    assertArrayEquals(row1, java.util.Arrays.copyOfRange(p.source(), p.length(), 2 * p.length()));
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
        java.util.Arrays.copyOfRange(p.mask(), p.length(), 2 * p.length()));
    assertEquals(5, p.targetCount());
  }

  @Test
  void paddedVgtOptionFeedsEveryTextRow() {
    SequencePlan p = new SequencePlanner(Q, PAD, true).forTraining(DIALOGS, Mode.MMICT);
    // Demo 1 of dialog 0 now contributes all T = 3 rows.
    assertArrayEquals(new long[] {7, 8, 9}, java.util.Arrays.copyOfRange(p.source(), 4, 7));
  }

  @Test
  void vanillaIctUsesQueriesOnlyRowsAndRawCaptionTokens() {
    SequencePlan p = new SequencePlanner(Q, PAD, false).forTraining(DIALOGS, Mode.VANILLA_ICT);
    assertEquals(0, p.textLen());
    assertEquals(Q, p.rowsPerItem());
    int e = 10;
    int t = 11;
    long[] row0 = {0, 1, t + 11, t + 12, t + 13, e, 2, 3, t + 14, e, 4, 5, t + 20, t + 30, t + 2};
    assertArrayEquals(row0, java.util.Arrays.copyOfRange(p.source(), 0, row0.length));
  }

  @Test
  void interleavedTrainingAlsoLabelsRawDemonstrationTextInVanillaIct() {
    SequencePlan p = new SequencePlanner(Q, PAD, false).forInterleavedTraining(DIALOGS, Mode.VANILLA_ICT);
    long[] labels0 = java.util.Arrays.copyOfRange(p.labels(), 0, 15);
    // Demo 0's tokens 12 and 13 (not its first, which follows an image row), demo 1 has one token.
    assertArrayEquals(new long[] {-100, -100, -100, 12, 13, -100, -100, -100, -100, -100, -100, -100, -100, 30, 2},
        labels0);
    SequencePlan mmict = new SequencePlanner(Q, PAD, false).forInterleavedTraining(DIALOGS, Mode.MMICT);
    assertEquals(5, mmict.targetCount(), "the MMICT format has no demonstration tokens to label");
  }

  @Test
  void vanillaFtDropsDemonstrations() {
    SequencePlan p = new SequencePlanner(Q, PAD, false).forTraining(DIALOGS, Mode.VANILLA_FT);
    assertEquals(2, p.items());
    assertEquals(0, p.demoItems()[0].length);
    int t = 2 * (Q + 2) + 1;
    assertArrayEquals(new long[] {0, 1, t + 20, t + 30, t + 2, t + PAD, t + PAD},
        java.util.Arrays.copyOfRange(p.source(), 0, p.length()));
  }

  @Test
  void generationPlanIsLeftPaddedAndStopsAfterThePrompt() {
    SequencePlan p = new SequencePlanner(Q, PAD, false).forGeneration(DIALOGS, Mode.VANILLA_FT);
    assertEquals(4, p.length()); // TGV (2) + longest prompt (2)
    assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1, 1, 1}, p.mask());
    assertEquals(0, p.targetCount());
  }

  @Test
  void emptyTargetIsRejected() {
    List<Dialog> bad = List.of(new Dialog(List.of(), new Dialog.Query(V, new int[] {1}, new int[0])));
    assertThrows(IllegalArgumentException.class,
        () -> new SequencePlanner(Q, PAD, false).forTraining(bad, Mode.VANILLA_FT));
  }
}
