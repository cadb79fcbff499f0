package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.hub.lm.OptLM;
import dev.mmict.hub.text.WordTokenizer;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The induction sequences: the copy is the span, labelled after its first piece, at varying offsets. */
class InductionTextTest {

  private static final WordTokenizer TOK = WordTokenizer.builder().addWords(List.of("red", "ball")).build();

  @Test
  void theLabelledTailIsACopyOfAnEarlierSpanStartingAtTheUnlabelledPiece() {
    InductionText text = InductionText.defaults(TOK);
    Random random = new Random(7);
    for (int k = 0; k < 200; k++) {
      InductionText.Sequence s = text.next(random);
      long[] ids = s.ids();
      long[] labels = s.labels();
      assertEquals(ids.length, labels.length);
      assertEquals(TOK.bosId(), ids[0]);
      int firstLabel = 0;
      while (labels[firstLabel] == OptLM.IGNORE_INDEX) {
        firstLabel++;
      }
      int copyStart = firstLabel - 1; // the copy's first piece is not labelled
      int copyLength = ids.length - copyStart;
      for (int i = copyStart + 1; i < ids.length; i++) {
        assertEquals(ids[i], labels[i], "labels are the inputs themselves at position " + i);
      }
      assertEquals(copyLength - 1, s.targets());
      boolean found = false;
      for (int from = 1; from + copyLength <= copyStart && !found; from++) {
        found = java.util.Arrays.equals(ids, from, from + copyLength, ids, copyStart, ids.length);
      }
      assertTrue(found, "sequence " + k + ": the labelled tail is not a copy of an earlier span");
      assertTrue(ids.length <= text.maxLength(), ids.length + " > " + text.maxLength());
    }
  }

  @Test
  void theSpanStartsAtManyOffsetsAndTheSameSeedGivesTheSameSequences() {
    InductionText text = InductionText.defaults(TOK);
    Random a = new Random(3);
    Random b = new Random(3);
    Set<Integer> copyStarts = new HashSet<>();
    for (int k = 0; k < 100; k++) {
      InductionText.Sequence x = text.next(a);
      InductionText.Sequence y = text.next(b);
      assertArrayEquals(x.ids(), y.ids());
      assertArrayEquals(x.labels(), y.labels());
      int i = 0;
      while (x.labels()[i] == OptLM.IGNORE_INDEX) {
        i++;
      }
      copyStarts.add(i);
    }
    assertTrue(copyStarts.size() > 20, "the copy starts at only " + copyStarts.size() + " offsets");
    assertNotEquals(text.next(new Random(1)).ids().length + "" + text.next(new Random(1)).ids()[1],
        text.next(new Random(2)).ids().length + "" + text.next(new Random(2)).ids()[1]);
  }

  @Test
  void badShapesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new InductionText(TOK, 0, 3, 2, 4));
    assertThrows(IllegalArgumentException.class, () -> new InductionText(TOK, 4, 3, 2, 4));
    assertThrows(IllegalArgumentException.class, () -> new InductionText(TOK, 1, 3, -1, 4));
    assertThrows(IllegalArgumentException.class, () -> new InductionText(TOK, 1, 3, 2, 0));
  }
}
