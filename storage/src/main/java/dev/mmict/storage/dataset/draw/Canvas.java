package dev.mmict.storage.dataset.draw;

import dev.mmict.storage.dataset.Frame;
import java.util.random.RandomGenerator;

/**
 * A square RGB picture being painted, [3, S, S] floats in [0, 1]; {@link #toFrame()} hands the
 * pixels over to a {@link Frame}, after which the canvas must not be used.
 */
public final class Canvas {

  private static final int C = 3;
  private final int size;
  private float[] pixels;

  /** A canvas of side {@code size} filled with {@code background} (RGB in [0, 1]). */
  public Canvas(int size, float[] background) {
    this.size = size;
    this.pixels = new float[C * size * size];
    int plane = size * size;
    for (int c = 0; c < C; c++) {
      java.util.Arrays.fill(pixels, c * plane, (c + 1) * plane, background[c]);
    }
  }

  /** Adds uniform noise in [−amplitude, amplitude] to every value, clamped to [0, 1]. */
  public void addNoise(double amplitude, RandomGenerator random) {
    if (amplitude <= 0) {
      return;
    }
    // Four 16-bit uniforms per 64-bit draw: noise is the costliest part of a frame otherwise.
    float scale = (float) (2 * amplitude / 65536.0);
    float shift = (float) amplitude;
    long bits = 0;
    for (int i = 0; i < pixels.length; i++) {
      if ((i & 3) == 0) {
        bits = random.nextLong();
      }
      float v = pixels[i] + (bits & 0xFFFF) * scale - shift;
      bits >>>= 16;
      pixels[i] = Math.min(1f, Math.max(0f, v));
    }
  }

  /**
   * Paints {@code shape} with its bounding square of side {@code diameter} centred at (cx, cy)
   * (pixel units; pixel (x, y) covers [x, x+1) × [y, y+1) and is tested at its centre).
   */
  public void paintShape(ShapeKind shape, double cx, double cy, double diameter, float[] rgb) {
    double r = diameter / 2;
    int x0 = Math.max(0, (int) Math.floor(cx - r));
    int x1 = Math.min(size - 1, (int) Math.ceil(cx + r));
    int y0 = Math.max(0, (int) Math.floor(cy - r));
    int y1 = Math.min(size - 1, (int) Math.ceil(cy + r));
    int plane = size * size;
    for (int y = y0; y <= y1; y++) {
      double v = (y + 0.5 - cy) / r;
      for (int x = x0; x <= x1; x++) {
        if (shape.contains((x + 0.5 - cx) / r, v)) {
          int i = y * size + x;
          pixels[i] = rgb[0];
          pixels[plane + i] = rgb[1];
          pixels[2 * plane + i] = rgb[2];
        }
      }
    }
  }

  /**
   * Paints a grey image (row-major bytes, 0 transparent … 255 opaque) scaled bilinearly into the
   * square of side {@code diameter} centred at (cx, cy), tinted with {@code rgb}: each pixel
   * becomes alpha·rgb + (1 − alpha)·what was there, alpha = grey / 255.
   */
  public void paintGrey(
      byte[] grey, int offset, int width, int height, double cx, double cy, double diameter,
      float[] rgb) {
    double left = cx - diameter / 2;
    double top = cy - diameter / 2;
    int x0 = Math.max(0, (int) Math.floor(left));
    int x1 = Math.min(size - 1, (int) Math.ceil(left + diameter));
    int y0 = Math.max(0, (int) Math.floor(top));
    int y1 = Math.min(size - 1, (int) Math.ceil(top + diameter));
    int plane = size * size;
    for (int y = y0; y <= y1; y++) {
      double sy = (y + 0.5 - top) / diameter * height - 0.5;
      for (int x = x0; x <= x1; x++) {
        double sx = (x + 0.5 - left) / diameter * width - 0.5;
        float alpha = bilinear(grey, offset, width, height, sx, sy) / 255f;
        if (alpha <= 0f) {
          continue;
        }
        int i = y * size + x;
        for (int c = 0; c < C; c++) {
          int k = c * plane + i;
          pixels[k] = alpha * rgb[c] + (1 - alpha) * pixels[k];
        }
      }
    }
  }

  /** Hands the pixels to a frame; the canvas is unusable afterwards. */
  public Frame toFrame() {
    Frame frame = new Frame(C, size, size, pixels);
    pixels = null;
    return frame;
  }

  private static float bilinear(byte[] grey, int offset, int w, int h, double x, double y) {
    if (x <= -1 || y <= -1 || x >= w || y >= h) {
      return 0f;
    }
    int xi = (int) Math.floor(x);
    int yi = (int) Math.floor(y);
    double fx = x - xi;
    double fy = y - yi;
    double top = (1 - fx) * at(grey, offset, w, h, xi, yi) + fx * at(grey, offset, w, h, xi + 1, yi);
    double bottom =
        (1 - fx) * at(grey, offset, w, h, xi, yi + 1) + fx * at(grey, offset, w, h, xi + 1, yi + 1);
    return (float) ((1 - fy) * top + fy * bottom);
  }

  private static int at(byte[] grey, int offset, int w, int h, int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      return 0;
    }
    return grey[offset + y * w + x] & 0xFF;
  }
}
