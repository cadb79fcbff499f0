package dev.mmict.hub.text;

/**
 * Maps text to token ids and back, and names the special ids the model's sequences need.
 *
 * <p>How the special ids are used when sequences are assembled for the language model:
 * <ul>
 *   <li>{@link #encode} never adds special tokens; the caller assembles them.</li>
 *   <li>A text sequence fed to the model is {@code [BOS]? tokens}; a training target is
 *       {@code tokens EOS}, so the model learns where to stop and generation ends at
 *       {@link #eosId()}. Whether BOS is prepended is the assembler's choice (OPT prepends it;
 *       for GPT-2 style tokenizers BOS and EOS are the same id).</li>
 *   <li>Padded positions hold {@link #padId()}; they are masked out of attention and of the loss,
 *       so the pad id never needs to be distinct from the others for correctness.</li>
 *   <li>{@link #unkId()} stands for a character (or piece) the vocabulary cannot express.</li>
 *   <li>The end-of-chunk marker of MMICT is a learned embedding, not a token, and has no id here.</li>
 * </ul>
 *
 * <p>{@link #fingerprint()} identifies the vocabulary: a checkpoint stores it and refuses to load
 * with a tokenizer whose fingerprint differs, because the same id would mean another token.
 */
public interface Tokenizer {

    /** Token ids of {@code text}, without any special token. */
    int[] encode(String text);

    /** Text of {@code ids}; special ids (pad, bos, eos, unk) are skipped. */
    String decode(int[] ids);

    /** Number of ids: every id produced or accepted lies in {@code [0, vocabSize())}. */
    int vocabSize();

    /** Id written at padded positions. */
    int padId();

    /** Id that may start a sequence. */
    int bosId();

    /** Id that ends a target sequence and stops generation. */
    int eosId();

    /** Id of an unknown character or piece. */
    int unkId();

    /** Lower-case hex SHA-256 identifying the vocabulary and special ids. */
    String fingerprint();
}
