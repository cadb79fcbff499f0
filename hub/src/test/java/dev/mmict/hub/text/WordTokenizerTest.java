package dev.mmict.hub.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordTokenizerTest {

    /** 4 specials + 68 printable ASCII characters other than A-Z + 36 continuation pieces. */
    private static final int BASE_SIZE = 4 + (94 - 26) + 36;

    private static final List<String> WORDS = List.of("the", "ball", "red", "is", "on", "left", "where", "cup");

    @Test
    void specialIdsAreFixed() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertEquals(0, tokenizer.padId());
        assertEquals(1, tokenizer.bosId());
        assertEquals(2, tokenizer.eosId());
        assertEquals(3, tokenizer.unkId());
        assertEquals(List.of("<pad>", "<bos>", "<eos>", "<unk>"),
                IntStream.range(0, 4).mapToObj(tokenizer::tokenOf).toList());
    }

    @Test
    void vocabularyOrderIsSpecialsThenCharactersThenContinuationsThenSortedWords() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertEquals(BASE_SIZE + WORDS.size(), tokenizer.vocabSize());
        assertEquals("!", tokenizer.tokenOf(4)); // first printable ASCII character
        assertEquals("0", tokenizer.tokenOf(4 + 15)); // '0' is 15 characters after '!'
        assertEquals("##0", tokenizer.tokenOf(4 + 68));
        assertEquals("##z", tokenizer.tokenOf(BASE_SIZE - 1));
        // words sorted: ball cup is left on red the where
        assertEquals(List.of("ball", "cup", "is", "left", "on", "red", "the", "where"), tokenizer.words());
        assertEquals(BASE_SIZE, tokenizer.idOf("ball").getAsInt());
        assertEquals(BASE_SIZE + 7, tokenizer.idOf("where").getAsInt());
    }

    @Test
    void sameWordsInAnyOrderGiveTheSameIds() {
        WordTokenizer a = WordTokenizer.ofWords(WORDS);
        List<String> shuffled = new java.util.ArrayList<>(WORDS);
        java.util.Collections.reverse(shuffled);
        WordTokenizer b = WordTokenizer.ofWords(shuffled);
        assertEquals(a.toJson(), b.toJson());
        assertEquals(a.fingerprint(), b.fingerprint());
        String text = "where is the red ball?";
        assertArrayEquals(a.encode(text), b.encode(text));
    }

    @Test
    void knownWordsAreOneTokenEachAndPunctuationIsSplitOff() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertEquals(List.of("where", "is", "the", "red", "ball", "?"), tokenizer.tokenize("Where is the RED ball?"));
        int[] ids = tokenizer.encode("the ball.");
        assertArrayEquals(new int[] {BASE_SIZE + 6, BASE_SIZE, 4 + ('.' - '!')}, ids);
    }

    @Test
    void knownSentencesRoundTrip() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        for (String sentence : List.of(
                "where is the red ball?",
                "the ball is on the left, the cup is not.",
                "it's a red-green cup (left) on the \"ball\".",
                "3 balls: 2 red/1 blue; 50% of cups!",
                "the cup costs $5 [or {so}] & that is it")) {
            assertEquals(sentence, tokenizer.decode(tokenizer.encode(sentence)), sentence);
        }
    }

    @Test
    void decodeGivesTheCanonicalFormOfOtherText() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertEquals("the red ball, left.", tokenizer.decode(tokenizer.encode("  The   Red ball ,left .\n")));
    }

    @Test
    void unseenWordIsSpelledByPiecesAndDecodedBackWhole() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertTrue(tokenizer.idOf("blicket").isEmpty());
        assertEquals(List.of("the", "b", "##l", "##i", "##c", "##k", "##e", "##t", "is", "red"),
                tokenizer.tokenize("the blicket is red"));
        assertEquals("the blicket is red", tokenizer.decode(tokenizer.encode("the blicket is red")));
        assertEquals("is it a dax? no, a blicket42.", tokenizer.decode(tokenizer.encode("Is it a DAX? No, a blicket42.")));
    }

    @Test
    void accentsAreStrippedAndCharactersOutsideTheVocabularyBecomeUnk() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertEquals(List.of("c", "##a", "##f", "##e"), tokenizer.tokenize("Café"));
        int[] ids = tokenizer.encode("red \u4e2d ball");
        assertArrayEquals(new int[] {tokenizer.idOf("red").getAsInt(), 3, tokenizer.idOf("ball").getAsInt()}, ids);
        assertEquals("red ball", tokenizer.decode(ids));
    }

    @Test
    void decodeSkipsSpecialTokensAndRejectsIdsOutsideTheVocabulary() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        int red = tokenizer.idOf("red").getAsInt();
        int ball = tokenizer.idOf("ball").getAsInt();
        assertEquals("red ball", tokenizer.decode(new int[] {1, red, 3, ball, 2, 0, 0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.decode(new int[] {red, tokenizer.vocabSize()}));
        assertTrue(e.getMessage().contains(String.valueOf(tokenizer.vocabSize())), e.getMessage());
    }

    @Test
    void encodeAddsNoSpecialTokens() {
        WordTokenizer tokenizer = WordTokenizer.ofWords(WORDS);
        assertEquals(0, tokenizer.encode("").length);
        assertEquals(0, tokenizer.encode("  \t\n").length);
        assertTrue(Arrays.stream(tokenizer.encode("the red ball")).allMatch(id -> id > 3));
    }

    @Test
    void charLevelSpellsEveryWord() {
        WordTokenizer tokenizer = WordTokenizer.charLevel();
        assertEquals(BASE_SIZE, tokenizer.vocabSize());
        assertTrue(tokenizer.words().isEmpty());
        assertEquals(List.of("a", "r", "##e", "##d", "b", "##a", "##l", "##l", "."), tokenizer.tokenize("a red ball."));
        assertEquals("a red ball.", tokenizer.decode(tokenizer.encode("a red ball.")));
    }

    @Test
    void builderCountsWordsAndHonoursMinFrequencyMaxSizeAndSpelledWords() {
        List<String> texts = List.of(
                "the blicket is red.", "the dax is red.", "the ball is blue.", "the cup is red.", "a toma is blue.");
        // counts: the 4, is 5, red 3, blue 2, blicket 1, dax 1, ball 1, cup 1, toma 1
        WordTokenizer frequent = WordTokenizer.builder().addTexts(texts).optMinFrequency(2).build();
        assertEquals(List.of("blue", "is", "red", "the"), frequent.words());

        WordTokenizer small = WordTokenizer.builder().addTexts(texts).optMaxVocabSize(BASE_SIZE + 3).build();
        assertEquals(List.of("is", "red", "the"), small.words());

        WordTokenizer names = WordTokenizer.builder().addTexts(texts)
                .optSpelledWords(Set.of("Blicket", "dax", "toma")).build();
        assertEquals(List.of("ball", "blue", "cup", "is", "red", "the"), names.words());
        assertEquals("the dax is red.", names.decode(names.encode("the dax is red.")));

        WordTokenizer forced = WordTokenizer.builder().addTexts(texts).optMinFrequency(5).addWords(List.of("zebra")).build();
        assertEquals(List.of("is", "zebra"), forced.words());
    }

    @Test
    void builderRejectsBadInputWithClearMessages() {
        IllegalArgumentException notAWord = assertThrows(IllegalArgumentException.class,
                () -> WordTokenizer.ofWords(List.of("ice cream")));
        assertTrue(notAWord.getMessage().contains("'ice cream'"), notAWord.getMessage());
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> WordTokenizer.builder().optMaxVocabSize(10).build());
        assertTrue(tooSmall.getMessage().contains("maxVocabSize 10"), tooSmall.getMessage());
        IllegalArgumentException conflict = assertThrows(IllegalArgumentException.class,
                () -> WordTokenizer.builder().addWords(List.of("dax")).optSpelledWords(Set.of("dax")).build());
        assertTrue(conflict.getMessage().contains("dax"), conflict.getMessage());
    }

    @Test
    void fingerprintChangesWhenTheVocabularyChanges() {
        String base = WordTokenizer.ofWords(WORDS).fingerprint();
        assertTrue(base.matches("[0-9a-f]{64}"), base);
        List<String> more = new java.util.ArrayList<>(WORDS);
        more.add("blicket");
        assertNotEquals(base, WordTokenizer.ofWords(more).fingerprint());
        assertNotEquals(base, WordTokenizer.charLevel().fingerprint());
        assertEquals(base, WordTokenizer.ofWords(WORDS).fingerprint());
    }

    @Test
    void jsonRoundTripKeepsIdsAndFingerprint(@TempDir Path dir) throws Exception {
        WordTokenizer original = WordTokenizer.ofWords(WORDS);
        WordTokenizer fromString = WordTokenizer.fromJson(original.toJson());
        Path file = dir.resolve("tokenizer.json");
        original.save(file);
        WordTokenizer fromFile = WordTokenizer.load(file);
        String text = "where is the blicket? on the left.";
        for (WordTokenizer copy : List.of(fromString, fromFile)) {
            assertEquals(original.fingerprint(), copy.fingerprint());
            assertEquals(original.vocabSize(), copy.vocabSize());
            assertArrayEquals(original.encode(text), copy.encode(text));
        }
        assertFalse(Files.exists(dir.resolve("tokenizer.json.tmp")));
    }

    @Test
    void malformedFilesAreRejectedNamingTheFileAndTheFault(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"format\": \"mmict-word-tokenizer\", \"version\": 1, \"tokens\": [", StandardCharsets.UTF_8);
        TokenizerFormatException syntax = assertThrows(TokenizerFormatException.class, () -> WordTokenizer.load(broken));
        assertTrue(syntax.getMessage().contains(broken.toString()), syntax.getMessage());
        assertTrue(syntax.getMessage().contains("not valid JSON"), syntax.getMessage());

        String good = WordTokenizer.ofWords(WORDS).toJson();
        assertFormatError(good.replace("mmict-word-tokenizer", "other"), "'format'");
        assertFormatError(good.replace("\"version\" : 1", "\"version\" : 2"), "'version'");
        assertFormatError(good.replace("\"<pad>\"", "\"<oops>\""), "must be <pad>");
        assertFormatError(good.replace("\"cup\"", "\"ball\""), "appears twice");
        assertFormatError(good.replace("\"cup\"", "\"Cup\""), "'Cup'");
        assertFormatError(good.replace("\"##q\",", ""), "'##q' is missing");
        assertFormatError("[1, 2]", "JSON object");
    }

    private static void assertFormatError(String json, String expectedFragment) {
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> WordTokenizer.fromJson(json));
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    }
}
