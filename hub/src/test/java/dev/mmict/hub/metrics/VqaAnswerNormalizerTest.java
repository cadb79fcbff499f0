package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VqaAnswerNormalizerTest {

  private static String norm(String s) {
    return VqaAnswerNormalizer.normalizeAnswer(s);
  }

  @Test
  void numberWordsBecomeDigitsAndArticlesGo() {
    assertEquals("2", norm("Two"));
    assertEquals("0", norm("none"));
    assertEquals("10 apples", norm("the ten apples"));
    assertEquals("dog", norm("a dog."));
    assertEquals("apple", norm("An apple"));
    assertEquals("yes", norm("  Yes\n"));
  }

  @Test
  void periodsGoUnlessBeforeADigit() {
    assertEquals("3.5", norm("3.5"));
    assertEquals("mr smith", norm("Mr. Smith"));
  }

  @Test
  void periodStripStopsAfterThirtyTwoAsTheOfficialCountArgumentDoes() {
    assertEquals(".".repeat(8), VqaAnswerNormalizer.processPunctuation(".".repeat(40)));
  }

  @Test
  void punctuationIsDeletedNextToSpacesOrWithDigitCommasElseSpaced() {
    assertEquals("1000", norm("1,000"));
    assertEquals("yes sir", norm("yes, sir"));
    assertEquals("red blue", norm("red,blue"));
    assertEquals("t shirt", norm("t_shirt"));
    // With a digit comma anywhere, every listed punctuation mark is deleted, not spaced.
    assertEquals("1000redblue", VqaAnswerNormalizer.processPunctuation("1,000red/blue"));
  }

  @Test
  void contractionsFollowTheOfficialTable() {
    // The straight apostrophe is punctuation: it becomes a space before the table is consulted.
    assertEquals("don t", norm("don't"));
    // Apostrophe-less spellings map to the table's (curly) forms; curly input is left alone.
    assertEquals("don\u2019t", norm("dont"));
    assertEquals("don\u2019t", norm("don\u2019t"));
    assertEquals("we've", norm("weve"));
    assertEquals(120, VqaAnswerNormalizer.contractionCount());
  }
}
