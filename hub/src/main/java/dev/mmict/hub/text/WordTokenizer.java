package dev.mmict.hub.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Word-level tokenizer for the tiny models: known words are one token each, any other word is
 * spelled with character pieces, so a word never seen in training (a fresh name such as
 * "blicket") can still be read and written by composing pieces the model knows.
 *
 * <h2>Text rules</h2>
 * <ul>
 *   <li>Input is normalised: Unicode NFKD, lower-cased, combining marks removed
 *       ("Café" reads as "cafe").</li>
 *   <li>Whitespace separates; a <em>word</em> is a maximal run of {@code [a-z0-9]}; every other
 *       character is a piece of its own (punctuation is split off words: "left." is "left", ".").
 *       A character outside the vocabulary (e.g. "ß", a CJK character) becomes {@code <unk>},
 *       one per character, and is lost on decoding.</li>
 *   <li>A word in the vocabulary is one token. Any other word is spelled: its first character as
 *       the plain piece ({@code "b"}), each following character as a continuation piece
 *       ({@code "##l"}, {@code "##i"}, …); decoding glues continuation pieces to the piece before,
 *       so the word comes back whole.</li>
 *   <li>Decoding joins words with one space and places punctuation by fixed rules: no space before
 *       {@code . , ! ? ; : ) ] } %}, none after {@code ( [ { $}, none on either side of
 *       {@code ' - / _}, and {@code "} alternately opens and closes a quotation. So
 *       {@code decode(encode(s))} gives back {@code s} whenever {@code s} is already lower-case and
 *       written in that canonical spacing; otherwise it gives that canonical form.</li>
 * </ul>
 *
 * <h2>Vocabulary, in id order</h2>
 * <ol>
 *   <li>{@code <pad>}=0, {@code <bos>}=1, {@code <eos>}=2, {@code <unk>}=3;</li>
 *   <li>every printable ASCII character except A-Z, by code point (digits, letters and
 *       punctuation; a single-letter word such as "a" is its own plain piece);</li>
 *   <li>the continuation pieces {@code ##0}…{@code ##9}, {@code ##a}…{@code ##z};</li>
 *   <li>the words, sorted.</li>
 * </ol>
 * The same word list therefore always yields the same ids. The definition is saved as JSON
 * ({@link #toJson()}, {@link #save(Path)}); its {@link #fingerprint()} is the SHA-256 of the
 * format name, version and token list.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class WordTokenizer implements Tokenizer {

    /** Token at id 0, written at padded positions. */
    public static final String PAD = "<pad>";
    /** Token at id 1, optionally starting a sequence. */
    public static final String BOS = "<bos>";
    /** Token at id 2, ending a target sequence. */
    public static final String EOS = "<eos>";
    /** Token at id 3, standing for a character outside the vocabulary. */
    public static final String UNK = "<unk>";
    /** Prefix of a continuation piece: a character glued to the piece before it. */
    public static final String CONTINUATION = "##";

    static final String FORMAT = "mmict-word-tokenizer";
    static final int VERSION = 1;

    private static final List<String> SPECIALS = List.of(PAD, BOS, EOS, UNK);
    private static final int PAD_ID = 0;
    private static final int BOS_ID = 1;
    private static final int EOS_ID = 2;
    private static final int UNK_ID = 3;

    private static final String NO_SPACE_BEFORE = ".,!?;:)]}%";
    private static final String NO_SPACE_AFTER = "([{$";
    private static final String NO_SPACE_AROUND = "'-/_";
    private static final String QUOTE = "\"";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final String fingerprint;

    private WordTokenizer(List<String> tokens, String source) {
        this.tokens = List.copyOf(tokens);
        this.ids = indexAndValidate(this.tokens, source);
        this.fingerprint = computeFingerprint(this.tokens);
    }

    /** A tokenizer whose vocabulary words are exactly {@code words} (normalised; single letters are pieces anyway). */
    public static WordTokenizer ofWords(Collection<String> words) {
        return builder().addWords(words).build();
    }

    /** A pure character-level tokenizer: no vocabulary words, every word is spelled. */
    public static WordTokenizer charLevel() {
        return builder().build();
    }

    /** A builder that counts words over texts. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a definition written by {@link #toJson()}.
     *
     * @throws TokenizerFormatException if the text is not such a definition
     */
    public static WordTokenizer fromJson(String json) {
        return fromJson(json, "JSON text");
    }

    /**
     * Reads a definition saved by {@link #save(Path)}.
     *
     * @throws IOException if the file cannot be read
     * @throws TokenizerFormatException if the file is not such a definition; the message names the file
     */
    public static WordTokenizer load(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    private static WordTokenizer fromJson(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(source, "not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerFormatException(source, "expected a JSON object at the top level");
        }
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.asText(null))) {
            throw new TokenizerFormatException(source, "key 'format' must be \"" + FORMAT + "\", found " + format);
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt() || version.intValue() != VERSION) {
            throw new TokenizerFormatException(
                    source, "key 'version' must be " + VERSION + " (the version this build reads), found " + version);
        }
        JsonNode array = root.get("tokens");
        if (array == null || !array.isArray()) {
            throw new TokenizerFormatException(source, "key 'tokens' must be an array of strings, found " + array);
        }
        List<String> tokens = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode token = array.get(i);
            if (!token.isTextual()) {
                throw new TokenizerFormatException(source, "tokens[" + i + "] must be a string, found " + token);
            }
            tokens.add(token.textValue());
        }
        return new WordTokenizer(tokens, source);
    }

    /** The definition as JSON: {@code {"format", "version", "tokens": [token of id 0, 1, …]}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode array = root.putArray("tokens");
        tokens.forEach(array::add);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a tokenizer of " + tokens.size() + " tokens", e);
        }
    }

    /** Writes {@link #toJson()} to {@code file}, replacing it atomically. */
    public void save(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(temporary, toJson(), StandardCharsets.UTF_8);
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public int[] encode(String text) {
        return tokenize(text).stream().mapToInt(ids::get).toArray();
    }

    /** The tokens {@link #encode} would produce, as strings (for logs and reports). */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : split(text)) {
            if (!isWordChar(piece.charAt(0))) {
                out.add(ids.containsKey(piece) ? piece : UNK);
            } else if (ids.containsKey(piece)) {
                out.add(piece);
            } else {
                out.add(piece.substring(0, 1));
                for (int i = 1; i < piece.length(); i++) {
                    out.add(CONTINUATION + piece.charAt(i));
                }
            }
        }
        return out;
    }

    @Override
    public String decode(int[] idsToDecode) {
        StringBuilder out = new StringBuilder();
        boolean glueNext = true; // no space before the next piece
        boolean insideQuote = false;
        for (int id : idsToDecode) {
            if (id < 0 || id >= tokens.size()) {
                throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary [0, " + tokens.size() + ")");
            }
            if (id < SPECIALS.size()) {
                continue;
            }
            String token = tokens.get(id);
            if (token.startsWith(CONTINUATION) && token.length() > CONTINUATION.length()) {
                out.append(token, CONTINUATION.length(), token.length());
                glueNext = false;
            } else if (isWordChar(token.charAt(0))) {
                appendSpaced(out, token, glueNext);
                glueNext = false;
            } else if (NO_SPACE_BEFORE.contains(token)) {
                out.append(token);
                glueNext = false;
            } else if (NO_SPACE_AFTER.contains(token) || NO_SPACE_AROUND.contains(token)) {
                appendSpaced(out, token, glueNext || NO_SPACE_AROUND.contains(token));
                glueNext = true;
            } else if (QUOTE.equals(token)) {
                appendSpaced(out, token, glueNext || insideQuote);
                glueNext = !insideQuote;
                insideQuote = !insideQuote;
            } else {
                appendSpaced(out, token, glueNext);
                glueNext = false;
            }
        }
        return out.toString();
    }

    private static void appendSpaced(StringBuilder out, String piece, boolean glue) {
        if (!glue && out.length() > 0) {
            out.append(' ');
        }
        out.append(piece);
    }

    @Override
    public int vocabSize() {
        return tokens.size();
    }

    @Override
    public int padId() {
        return PAD_ID;
    }

    @Override
    public int bosId() {
        return BOS_ID;
    }

    @Override
    public int eosId() {
        return EOS_ID;
    }

    @Override
    public int unkId() {
        return UNK_ID;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /** The token with this id. */
    public String tokenOf(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary [0, " + tokens.size() + ")");
        }
        return tokens.get(id);
    }

    /** The id of this exact token string, if it is in the vocabulary. */
    public OptionalInt idOf(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The vocabulary words (tokens of two or more word characters), sorted. */
    public List<String> words() {
        return tokens.stream().filter(t -> t.length() > 1 && isWordChar(t.charAt(0))).toList();
    }

    /** Normalises {@code text} and splits it into words and single-character pieces. */
    static List<String> split(String text) {
        // Decompose again after lower-casing: lower-casing may yield composed characters.
        String lower = Normalizer.normalize(text, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        String normal = Normalizer.normalize(lower, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        List<String> pieces = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < normal.length(); ) {
            int cp = normal.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 128 && isWordChar((char) cp)) {
                word.append((char) cp);
                continue;
            }
            if (word.length() > 0) {
                pieces.add(word.toString());
                word.setLength(0);
            }
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp) && !Character.isISOControl(cp)) {
                pieces.add(new String(Character.toChars(cp)));
            }
        }
        if (word.length() > 0) {
            pieces.add(word.toString());
        }
        return pieces;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** Printable ASCII except A-Z (input is lower-cased), by code point. */
    private static List<String> alphabet() {
        List<String> chars = new ArrayList<>();
        for (char c = '!'; c <= '~'; c++) {
            if (c < 'A' || c > 'Z') {
                chars.add(String.valueOf(c));
            }
        }
        return chars;
    }

    private static List<String> continuationPieces() {
        List<String> pieces = new ArrayList<>();
        for (String c : alphabet()) {
            if (isWordChar(c.charAt(0))) {
                pieces.add(CONTINUATION + c);
            }
        }
        return pieces;
    }

    private static List<String> baseTokens() {
        List<String> base = new ArrayList<>(SPECIALS);
        base.addAll(alphabet());
        base.addAll(continuationPieces());
        return base;
    }

    private static Map<String, Integer> indexAndValidate(List<String> tokens, String source) {
        for (int i = 0; i < SPECIALS.size(); i++) {
            if (tokens.size() <= i || !SPECIALS.get(i).equals(tokens.get(i))) {
                throw new TokenizerFormatException(source, "token " + i + " must be " + SPECIALS.get(i)
                        + ", found " + (tokens.size() <= i ? "nothing" : "'" + tokens.get(i) + "'"));
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (i >= SPECIALS.size() && !isValidPiece(token)) {
                throw new TokenizerFormatException(source, "token " + i + " '" + token
                        + "' is neither a word of [a-z0-9], a '##' continuation of one such character, nor one"
                        + " normalised non-space character");
            }
            Integer previous = index.put(token, i);
            if (previous != null) {
                throw new TokenizerFormatException(source, "token '" + token + "' appears twice, at " + previous + " and " + i);
            }
        }
        for (String required : baseTokens()) {
            if (!index.containsKey(required) && (isWordChar(required.charAt(required.length() - 1)))) {
                throw new TokenizerFormatException(source, "character piece '" + required
                        + "' is missing, so some words could not be spelled");
            }
        }
        return Collections.unmodifiableMap(index);
    }

    private static boolean isValidPiece(String token) {
        if (token.isEmpty()) {
            return false;
        }
        if (token.startsWith(CONTINUATION) && token.length() == CONTINUATION.length() + 1) {
            return isWordChar(token.charAt(CONTINUATION.length()));
        }
        if (token.chars().allMatch(c -> isWordChar((char) c))) {
            return true;
        }
        // One non-word character that survives normalisation as itself.
        return token.codePointCount(0, token.length()) == 1 && split(token).equals(List.of(token));
    }

    private static String computeFingerprint(List<String> tokens) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((FORMAT + "\n" + VERSION + "\n" + String.join("\n", tokens)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Builds a {@link WordTokenizer} from word counts over texts and from explicit words.
     *
     * <p>Counted words enter the vocabulary most frequent first (ties alphabetically) while they
     * reach {@link #optMinFrequency} and the vocabulary stays within {@link #optMaxVocabSize};
     * explicit words ({@link #addWords}) always enter; words given to {@link #optSpelledWords}
     * never do, so they are always spelled by pieces (use it for a pool of names the model must
     * learn to copy rather than memorise).
     */
    public static final class Builder {

        private final Map<String, Long> counts = new HashMap<>();
        private final Set<String> forced = new TreeSet<>();
        private final Set<String> spelled = new HashSet<>();
        private int minFrequency = 1;
        private int maxVocabSize = Integer.MAX_VALUE;

        private Builder() {
        }

        /** Counts the words of one text. */
        public Builder addText(String text) {
            for (String piece : split(text)) {
                if (piece.length() > 1 && isWordChar(piece.charAt(0))) {
                    counts.merge(piece, 1L, Long::sum);
                }
            }
            return this;
        }

        /** Counts the words of every text. */
        public Builder addTexts(Iterable<String> texts) {
            texts.forEach(this::addText);
            return this;
        }

        /**
         * Puts each of {@code words} in the vocabulary regardless of counts.
         *
         * @throws IllegalArgumentException if an entry is not exactly one word after normalisation
         */
        public Builder addWords(Collection<String> words) {
            for (String word : words) {
                String normal = singleWord(word, "addWords");
                if (normal.length() > 1) {
                    forced.add(normal);
                }
            }
            return this;
        }

        /** Keeps {@code words} out of the vocabulary, so they are always spelled by pieces. */
        public Builder optSpelledWords(Collection<String> words) {
            for (String word : words) {
                spelled.add(singleWord(word, "optSpelledWords"));
            }
            return this;
        }

        /** Counted words seen fewer times than this stay out (default 1). */
        public Builder optMinFrequency(int minFrequency) {
            if (minFrequency < 1) {
                throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
            }
            this.minFrequency = minFrequency;
            return this;
        }

        /** Upper bound on {@link WordTokenizer#vocabSize()}, specials and character pieces included. */
        public Builder optMaxVocabSize(int maxVocabSize) {
            this.maxVocabSize = maxVocabSize;
            return this;
        }

        /** Builds the tokenizer. */
        public WordTokenizer build() {
            List<String> tokens = baseTokens();
            if (maxVocabSize < tokens.size()) {
                throw new IllegalArgumentException("maxVocabSize " + maxVocabSize + " is below the " + tokens.size()
                        + " special and character tokens every WordTokenizer has");
            }
            Set<String> conflicting = new TreeSet<>(forced);
            conflicting.retainAll(spelled);
            if (!conflicting.isEmpty()) {
                throw new IllegalArgumentException("Words both added and marked as spelled: " + conflicting);
            }
            if ((long) tokens.size() + forced.size() > maxVocabSize) {
                throw new IllegalArgumentException("The " + forced.size() + " added words do not fit in maxVocabSize "
                        + maxVocabSize + " (" + tokens.size() + " tokens are specials and character pieces)");
            }
            long room = (long) maxVocabSize - tokens.size() - forced.size();
            Set<String> words = new TreeSet<>(forced);
            counts.entrySet().stream()
                    .filter(e -> e.getValue() >= minFrequency)
                    .filter(e -> !forced.contains(e.getKey()) && !spelled.contains(e.getKey()))
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(room)
                    .forEach(e -> words.add(e.getKey()));
            tokens.addAll(words);
            return new WordTokenizer(tokens, "builder");
        }

        private static String singleWord(String word, String where) {
            List<String> pieces = split(word);
            if (pieces.size() != 1 || !isWordChar(pieces.get(0).charAt(0))) {
                throw new IllegalArgumentException(where + ": '" + word
                        + "' is not a single word of [a-z0-9] after normalisation (it splits into " + pieces + ")");
            }
            return pieces.get(0);
        }
    }
}
