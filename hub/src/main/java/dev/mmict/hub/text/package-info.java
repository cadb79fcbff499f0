/**
 * Tokenizers that turn text into the token ids the language model reads and back.
 *
 * <p>{@link dev.mmict.hub.text.Tokenizer} is the contract; {@link dev.mmict.hub.text.WordTokenizer}
 * is the default for the tiny models (dataset words plus character pieces, so that unseen words
 * such as fresh object names can still be written), and {@link dev.mmict.hub.text.HfTokenizer}
 * wraps a Hugging Face {@code tokenizer.json} for pretrained language models.
 */
package dev.mmict.hub.text;
