package dev.mmict.hub.text;

/** Thrown when a saved tokenizer definition is malformed; the message names the source and the fault. */
public final class TokenizerFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception for a fault in {@code source}. */
    public TokenizerFormatException(String source, String problem) {
        super("Malformed tokenizer definition in " + source + ": " + problem);
    }

    /** Creates the exception for a fault in {@code source} caused by {@code cause}. */
    public TokenizerFormatException(String source, String problem, Throwable cause) {
        super("Malformed tokenizer definition in " + source + ": " + problem, cause);
    }
}
