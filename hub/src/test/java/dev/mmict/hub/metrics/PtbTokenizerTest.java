package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PtbTokenizerTest {

  private final PtbTokenizer tokenizer = new PtbTokenizer();

  private List<String> tok(String text) {
    return tokenizer.tokenize(text);
  }

  @Test
  void lowerCasesAndDropsSentencePunctuation() {
    assertEquals(List.of("a", "man", "riding", "a", "horse"), tok("A man riding a horse."));
    assertEquals(List.of("is", "it", "a", "dog"), tok("Is it a dog?"));
    assertEquals(List.of("wait", "a", "dog", "a", "dog"), tok("Wait... a dog; -- a dog: - "));
    // Stanford lexes a run of ?/! as one token, which is not in the toolkit's list.
    assertEquals(List.of("a", "dog", "?!"), tok("A dog?!"));
  }

  @Test
  void splitsCliticsLikePtb() {
    assertEquals(List.of("the", "dog", "'s", "bone", "is", "n't", "here"), tok("The dog's bone isn't here"));
    assertEquals(List.of("he", "ca", "n't", "go", "i", "'m", "sure", "they", "'re", "out"),
        tok("He can't go, I'm sure they're out"));
    assertEquals(List.of("you", "can", "not", "stop"), tok("You cannot stop"));
    assertEquals(List.of("it", "'s", "the", "dogs", "toy"), tok("It\u2019s the dogs' toy"));
    assertEquals(List.of("a", "dog", "'s", "toy"), tok("a dog 's toy"));
    assertEquals(List.of("at", "5", "o'clock"), tok("at 5 o'clock"));
  }

  @Test
  void quotesAreDroppedButBracketsSurviveLowerCasedAsInTheToolkit() {
    // The toolkit compares lower-cased tokens with "-LRB-": the bracket tokens are never removed.
    assertEquals(List.of("a", "big", "dog", "-lrb-", "brown", "-rrb-", "-lsb-", "x", "-rsb-"),
        tok("A \"big\" dog (brown) [x]"));
    assertEquals(List.of("hello", "there"), tok("'hello' \u201Cthere\u201D"));
  }

  @Test
  void keepsNumbersHyphenatedWordsAbbreviationsAndAcronyms() {
    assertEquals(List.of("mr.", "smith", "walks", "3.5", "miles", "with", "1,000", "people", "at", "10:30"),
        tok("Mr. Smith walks 3.5 miles, with 1,000 people at 10:30."));
    assertEquals(List.of("a", "black-and-white", "photo", "of", "a", "x-ray"), tok("A black-and-white photo of a x-ray"));
    assertEquals(List.of("a", "flag", "of", "the", "u.s."), tok("A flag of the U.S."));
    assertEquals(List.of("it", "is", "e.g.", "a", "cat"), tok("it is e.g., a cat"));
  }

  @Test
  void escapesSlashesAndKeepsSymbols() {
    assertEquals(List.of("black", "and\\/or", "white", "$", "5", "&", "50", "%"), tok("black and/or white $5 & 50%"));
  }

  @Test
  void americanisesBeforeLowerCasing() {
    assertEquals(List.of("a", "gray", "color", "in", "the", "center"), tok("a grey colour in the centre"));
    // Stanford maps only the lower-case spelling, and lower-cases afterwards.
    assertEquals(List.of("grey", "contour", "hour"), tok("Grey contour hour"));
  }

  @Test
  void joinsLinesAndHandlesBlankText() {
    assertEquals(List.of("two", "lines"), tok("two\nlines"));
    assertEquals(List.of(), tok("   "));
    assertEquals(List.of(), tok("..."));
    assertEquals("a cat on a mat", tokenizer.tokenizeToString("A cat on a mat."));
  }

  @Test
  void rejectsNull() {
    assertThrows(NullPointerException.class, () -> tokenizer.tokenize(null));
  }
}
