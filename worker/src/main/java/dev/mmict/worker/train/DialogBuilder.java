package dev.mmict.worker.train;

import dev.mmict.hub.assembly.Dialog;
import dev.mmict.hub.assembly.Visual;
import dev.mmict.hub.text.Tokenizer;
import dev.mmict.hub.vision.ImageNormalizer;
import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns dataset samples into the model's dialogs: tokenises texts (truncating to the model's
 * text budget), normalises pixels, and appends EOS to training targets.
 */
public final class DialogBuilder {
  private final Tokenizer tokenizer;
  private final int maxTextTokens;

  /** @param maxTextTokens the longest text (demonstration, prompt, or target) kept, in tokens */
  public DialogBuilder(Tokenizer tokenizer, int maxTextTokens) {
    this.tokenizer = tokenizer;
    this.maxTextTokens = maxTextTokens;
  }

  /** The tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** A dialog of {@code demos} then {@code query}; the target ends with EOS when training. */
  public Dialog dialog(Sample query, List<Sample> demos, boolean training) {
    List<Dialog.Demo> d = new ArrayList<>(demos.size());
    for (Sample s : demos) {
      d.add(new Dialog.Demo(visual(s), encode(s.text())));
    }
    int[] target = new int[0];
    if (training) {
      int[] t = encode(query.target());
      target = Arrays.copyOf(t, Math.min(t.length + 1, maxTextTokens));
      target[target.length - 1] = tokenizer.eosId();
    }
    return new Dialog(d, new Dialog.Query(visual(query), encode(query.prompt()), target));
  }

  /**
   * For each demonstration, whether it shows what the query shows: its text contains the
   * query's target as a whole-word phrase (for fast binding: the demonstration names the
   * query's object).
   */
  public static boolean[] positives(Sample query, List<Sample> demos) {
    String target = " " + normalise(query.target()) + " ";
    boolean[] out = new boolean[demos.size()];
    for (int k = 0; k < demos.size(); k++) {
      out[k] = (" " + normalise(demos.get(k).text()) + " ").contains(target);
    }
    return out;
  }

  private static String normalise(String s) {
    return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
  }

  private int[] encode(String text) {
    int[] ids = tokenizer.encode(text);
    return ids.length <= maxTextTokens ? ids : Arrays.copyOf(ids, maxTextTokens);
  }

  /**
   * The normalised pixels of a sample, keyed for the feature cache by {@link #visualKey}: its id
   * plus a digest of the pixels themselves.
   */
  public static Visual visual(Sample s) {
    List<Frame> frames = s.frames();
    int per = frames.get(0).pixels().length;
    float[] all = new float[per * frames.size()];
    for (int f = 0; f < frames.size(); f++) {
      Frame fr = frames.get(f);
      float[] norm = ImageNormalizer.normalizeInPlace(fr.pixels().clone(), fr.height(), fr.width());
      System.arraycopy(norm, 0, all, f * per, per);
    }
    return new Visual(visualKey(s.id(), all, frames.size()), all, frames.size());
  }

  /**
   * {@code id@<16 hex digits>}: the sample id and the first 64 bits of the sha256 of the frame
   * count and the normalised pixels. The id alone is not enough for a cache that outlives a run:
   * another crop (augmentation seed), image size or an edited task gives the same id other pixels,
   * and those must never be served the old features. Hashing costs microseconds per picture; the
   * encoder it saves costs far more.
   */
  public static String visualKey(String id, float[] pixels, int frames) {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 + 4 * pixels.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.putInt(frames);
    buf.asFloatBuffer().put(pixels);
    md.update(buf.array());
    return id + "@" + java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
  }
}
