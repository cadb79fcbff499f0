package dev.mmict.hub.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face {@code tokenizer.json} (BPE, WordPiece, Unigram…) run by DJL's binding of the
 * Rust tokenizers library, for pretrained language models.
 *
 * <p>Everything is local: the file is read from disk, and the native library ships inside the
 * DJL jar for the common platforms (run with {@code -Dai.djl.offline=true} to forbid downloads).
 *
 * <p>Special ids come from, in order: the builder's explicit token names; a
 * {@code tokenizer_config.json} beside the file ({@code bos_token}, {@code eos_token},
 * {@code pad_token}, {@code unk_token}); the only special added token if there is exactly one
 * (GPT-2's {@code <|endoftext|>}). BOS and padding fall back to EOS, unknown to the model's
 * {@code unk_token}, then to EOS. {@link #vocabSize()} is one more than the largest id of the model
 * vocabulary and the added tokens. The fingerprint is the SHA-256 of the file's bytes followed by
 * the four special ids.
 *
 * <p>Holds native memory: close it when done. Encoding and decoding are thread-safe.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HfTokenizer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer delegate;
    private final int vocabSize;
    private final int padId;
    private final int bosId;
    private final int eosId;
    private final int unkId;
    private final String fingerprint;

    private HfTokenizer(HuggingFaceTokenizer delegate, int vocabSize, int padId, int bosId, int eosId, int unkId,
            String fingerprint) {
        this.delegate = delegate;
        this.vocabSize = vocabSize;
        this.padId = padId;
        this.bosId = bosId;
        this.eosId = eosId;
        this.unkId = unkId;
        this.fingerprint = fingerprint;
    }

    /** Loads {@code tokenizerJson} with special tokens found as described in the class comment. */
    public static HfTokenizer load(Path tokenizerJson) throws IOException {
        return builder(tokenizerJson).build();
    }

    /** A builder for the tokenizer in {@code tokenizerJson} (a file, or a directory holding {@code tokenizer.json}). */
    public static Builder builder(Path tokenizerJson) {
        return new Builder(tokenizerJson);
    }

    @Override
    public int[] encode(String text) {
        long[] ids = delegate.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("Token id " + ids[i] + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            wide[i] = ids[i];
        }
        // The tokenizer's own special tokens are skipped by the library; ours may be ordinary
        // tokens of the vocabulary (a pad chosen by the caller), so they are removed here too.
        long[] kept = Arrays.stream(wide).filter(id -> !isSpecial((int) id)).toArray();
        return delegate.decode(kept, true);
    }

    private boolean isSpecial(int id) {
        return id == padId || id == bosId || id == eosId || id == unkId;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public int unkId() {
        return unkId;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /** Frees the native tokenizer. */
    @Override
    public void close() {
        delegate.close();
    }

    /**
     * Loads an {@link HfTokenizer}, optionally naming its special tokens; a name that is not a
     * token of the file fails the build with the file named.
     */
    public static final class Builder {

        private final Path path;
        private String bosToken;
        private String eosToken;
        private String padToken;
        private String unkToken;

        private Builder(Path path) {
            this.path = path;
        }

        /** Token that starts a sequence. */
        public Builder optBosToken(String token) {
            this.bosToken = token;
            return this;
        }

        /** Token that ends a sequence. */
        public Builder optEosToken(String token) {
            this.eosToken = token;
            return this;
        }

        /**
         * Token for padded positions (default: the EOS token). If it is an ordinary token,
         * {@link HfTokenizer#decode} drops it like any special token.
         */
        public Builder optPadToken(String token) {
            this.padToken = token;
            return this;
        }

        /** Token for unknown input (default: the model's unk token, else the EOS token). */
        public Builder optUnkToken(String token) {
            this.unkToken = token;
            return this;
        }

        /**
         * Reads the file and starts the native tokenizer.
         *
         * @throws IOException if the file cannot be read
         * @throws TokenizerFormatException if it is not a usable {@code tokenizer.json}
         */
        public HfTokenizer build() throws IOException {
            Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null, "no tokenizer.json there");
            }
            byte[] bytes = Files.readAllBytes(file);
            String source = file.toString();
            JsonNode root;
            try {
                root = JSON.readTree(bytes);
            } catch (IOException e) {
                throw new TokenizerFormatException(source, "not valid JSON (" + e.getMessage() + ")", e);
            }
            Vocabulary vocabulary = Vocabulary.of(root, source);
            Map<String, String> config = readConfig(file.resolveSibling("tokenizer_config.json"));

            HuggingFaceTokenizer delegate;
            // Options stop DJL from adding special tokens, padding or truncating on its own.
            Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
            try (ByteArrayInputStream in = new ByteArrayInputStream(bytes)) {
                delegate = HuggingFaceTokenizer.newInstance(in, options);
            } catch (RuntimeException e) {
                throw new TokenizerFormatException(source, "the tokenizers library rejected it (" + e.getMessage() + ")", e);
            }
            try {
                String eos = firstPresent(eosToken, config.get("eos_token"), vocabulary.onlySpecial())
                        .orElseThrow(() -> new TokenizerFormatException(source,
                                "cannot tell the EOS token: name it with optEosToken (special tokens: "
                                        + vocabulary.specials() + ")"));
                String bos = firstPresent(bosToken, config.get("bos_token"), vocabulary.onlySpecial()).orElse(eos);
                String pad = firstPresent(padToken, config.get("pad_token")).orElse(eos);
                String unk = firstPresent(unkToken, config.get("unk_token"), vocabulary.modelUnk()).orElse(eos);
                int eosId = vocabulary.id(eos, "EOS", source);
                int bosId = vocabulary.id(bos, "BOS", source);
                int padId = vocabulary.id(pad, "PAD", source);
                int unkId = vocabulary.id(unk, "UNK", source);
                String fingerprint = fingerprint(bytes, padId, bosId, eosId, unkId);
                LOG.debug("Loaded {}: {} ids, bos={} eos={} pad={} unk={}", source, vocabulary.size(), bosId, eosId,
                        padId, unkId);
                return new HfTokenizer(delegate, vocabulary.size(), padId, bosId, eosId, unkId, fingerprint);
            } catch (RuntimeException e) {
                delegate.close();
                throw e;
            }
        }

        private static Map<String, String> readConfig(Path configFile) throws IOException {
            Map<String, String> config = new HashMap<>();
            if (!Files.isRegularFile(configFile)) {
                return config;
            }
            JsonNode root;
            try {
                root = JSON.readTree(configFile.toFile());
            } catch (IOException e) {
                throw new TokenizerFormatException(configFile.toString(), "not valid JSON (" + e.getMessage() + ")", e);
            }
            for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
                JsonNode value = root.get(key);
                if (value != null && value.isTextual()) {
                    config.put(key, value.textValue());
                } else if (value != null && value.isObject() && value.path("content").isTextual()) {
                    config.put(key, value.get("content").textValue()); // the AddedToken form
                }
            }
            return config;
        }

        private static Optional<String> firstPresent(String... candidates) {
            for (String candidate : candidates) {
                if (candidate != null) {
                    return Optional.of(candidate);
                }
            }
            return Optional.empty();
        }

        private static String fingerprint(byte[] bytes, int padId, int bosId, int eosId, int unkId) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(bytes);
                sha.update(("\npad=" + padId + " bos=" + bosId + " eos=" + eosId + " unk=" + unkId)
                        .getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(sha.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }
    }

    /** Token-to-id table of a {@code tokenizer.json}: model vocabulary plus added tokens. */
    private record Vocabulary(Map<String, Integer> ids, List<String> specials, String modelUnk, int size) {

        static Vocabulary of(JsonNode root, String source) {
            Map<String, Integer> ids = new HashMap<>();
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {"token": id}
                Iterator<Map.Entry<String, JsonNode>> fields = vocab.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (!field.getValue().canConvertToInt()) {
                        throw new TokenizerFormatException(source, "model.vocab['" + field.getKey() + "'] is not an id");
                    }
                    ids.put(field.getKey(), field.getValue().intValue());
                }
            } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], id = position
                for (int i = 0; i < vocab.size(); i++) {
                    ids.put(vocab.get(i).path(0).asText(), i);
                }
            } else {
                throw new TokenizerFormatException(source, "key model.vocab is missing or neither an object nor an array");
            }
            List<String> specials = new ArrayList<>();
            for (JsonNode added : root.path("added_tokens")) {
                if (!added.path("content").isTextual() || !added.path("id").canConvertToInt()) {
                    throw new TokenizerFormatException(source, "an added_tokens entry lacks content or id: " + added);
                }
                ids.put(added.get("content").textValue(), added.get("id").intValue());
                if (added.path("special").asBoolean(false)) {
                    specials.add(added.get("content").textValue());
                }
            }
            if (ids.isEmpty()) {
                throw new TokenizerFormatException(source, "the vocabulary is empty");
            }
            int size = ids.values().stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
            JsonNode unk = root.path("model").path("unk_token");
            JsonNode unkIdNode = root.path("model").path("unk_id");
            String modelUnk = unk.isTextual() ? unk.textValue()
                    : unkIdNode.canConvertToInt() && vocab.isArray() ? vocab.get(unkIdNode.intValue()).path(0).asText()
                    : null;
            return new Vocabulary(Map.copyOf(ids), List.copyOf(specials), modelUnk, size);
        }

        String onlySpecial() {
            return specials.size() == 1 ? specials.get(0) : null;
        }

        int id(String token, String role, String source) {
            Integer id = ids.get(token);
            if (id == null) {
                throw new TokenizerFormatException(source, role + " token '" + token + "' is not in the vocabulary");
            }
            return id;
        }
    }
}
