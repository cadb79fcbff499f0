package dev.mmict.storage.dataset.image;

import dev.mmict.storage.dataset.Frame;

/**
 * Bilinear crop-and-resize of [C, H, W] frames, and horizontal flip.
 *
 * <p>Pixel centres sit at half-integer coordinates (as in PIL and torch with
 * align_corners=false). When shrinking, the triangle filter is widened by the scale factor so
 * that every source pixel contributes (PIL's "bilinear", torchvision's antialias=True); plain
 * two-tap sampling would alias badly when a 640-pixel photo becomes 32 pixels. Taps that fall
 * outside the picture are left out and the remaining weights renormalised, so edges do not
 * darken.
 */
public final class Resampler {

  private Resampler() {}

  /**
   * The part {@code box} of {@code src} resized to {@code outHeight}×{@code outWidth}.
   *
   * @param src [C, H, W]
   * @return [C, outHeight, outWidth]
   */
  public static Frame resample(Frame src, CropBox box, int outHeight, int outWidth) {
    if (outHeight < 1 || outWidth < 1) {
      throw new IllegalArgumentException(
          "Output size must be positive, got " + outHeight + "×" + outWidth);
    }
    int c = src.channels();
    int h = src.height();
    int w = src.width();
    Taps xs = Taps.of(box.x() * w, box.width() * w, outWidth, w);
    Taps ys = Taps.of(box.y() * h, box.height() * h, outHeight, h);
    float[] in = src.pixels();
    // Horizontal pass over the rows the vertical pass needs: [C, rows, outWidth].
    int rowLo = ys.lowest();
    int rows = ys.highest() - rowLo + 1;
    float[] mid = new float[c * rows * outWidth];
    for (int ch = 0; ch < c; ch++) {
      for (int r = 0; r < rows; r++) {
        int inRow = (ch * h + rowLo + r) * w;
        int midRow = (ch * rows + r) * outWidth;
        for (int j = 0; j < outWidth; j++) {
          mid[midRow + j] = xs.apply(j, in, inRow, 1);
        }
      }
    }
    // Vertical pass: [C, outHeight, outWidth].
    float[] out = new float[c * outHeight * outWidth];
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < outHeight; i++) {
        int outRow = (ch * outHeight + i) * outWidth;
        for (int j = 0; j < outWidth; j++) {
          out[outRow + j] = ys.apply(i, mid, ch * rows * outWidth + j - rowLo * outWidth, outWidth);
        }
      }
    }
    return new Frame(c, outHeight, outWidth, out);
  }

  /** {@code src} mirrored left to right. */
  public static Frame flipHorizontal(Frame src) {
    int w = src.width();
    float[] in = src.pixels();
    float[] out = new float[in.length];
    int rows = src.channels() * src.height();
    for (int r = 0; r < rows; r++) {
      int base = r * w;
      for (int x = 0; x < w; x++) {
        out[base + x] = in[base + w - 1 - x];
      }
    }
    return new Frame(src.channels(), src.height(), w, out);
  }

  /**
   * The filter taps of every output position along one axis: output {@code j} is the weighted
   * sum of inputs {@code first[j] .. first[j] + weights[j].length - 1}.
   */
  private record Taps(int[] first, float[][] weights) {

    static Taps of(double start, double length, int outSize, int inSize) {
      double scale = length / outSize;
      double support = Math.max(scale, 1.0);
      int[] first = new int[outSize];
      float[][] weights = new float[outSize][];
      for (int j = 0; j < outSize; j++) {
        double centre = start + (j + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(centre - support - 0.5));
        int hi = Math.min(inSize - 1, (int) Math.ceil(centre + support - 0.5));
        double[] raw = new double[hi - lo + 1];
        double sum = 0;
        for (int i = lo; i <= hi; i++) {
          double weight = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / support);
          raw[i - lo] = weight;
          sum += weight;
        }
        if (sum == 0) {
          // Only possible when the centre lies outside the picture: take the nearest pixel.
          int nearest = Math.min(inSize - 1, Math.max(0, (int) Math.floor(centre)));
          first[j] = nearest;
          weights[j] = new float[] {1f};
          continue;
        }
        float[] norm = new float[raw.length];
        for (int k = 0; k < raw.length; k++) {
          norm[k] = (float) (raw[k] / sum);
        }
        first[j] = lo;
        weights[j] = norm;
      }
      return new Taps(first, weights);
    }

    /** Σ_k weights[j][k] · data[offset + (first[j] + k) · stride]. */
    float apply(int j, float[] data, int offset, int stride) {
      float[] wj = weights[j];
      int at = offset + first[j] * stride;
      float sum = 0;
      for (int k = 0; k < wj.length; k++) {
        sum += wj[k] * data[at + k * stride];
      }
      return sum;
    }

    int lowest() {
      int lo = Integer.MAX_VALUE;
      for (int f : first) {
        lo = Math.min(lo, f);
      }
      return lo;
    }

    int highest() {
      int hi = 0;
      for (int j = 0; j < first.length; j++) {
        hi = Math.max(hi, first[j] + weights[j].length - 1);
      }
      return hi;
    }
  }
}
