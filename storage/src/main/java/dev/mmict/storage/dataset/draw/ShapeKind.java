package dev.mmict.storage.dataset.draw;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A filled shape, defined as a point-membership test in the object's own coordinates: u to the
 * right, v downwards, both in [-1, 1] (the object's bounding square).
 */
public enum ShapeKind {
  /** A filled disc: u² + v² ≤ 1. */
  CIRCLE {
    @Override
    public boolean contains(double u, double v) {
      return u * u + v * v <= 1.0;
    }
  },
  /** An axis-aligned square of side 1.64 (slightly inset so its area stays near the disc's). */
  SQUARE {
    @Override
    public boolean contains(double u, double v) {
      return Math.abs(u) <= 0.82 && Math.abs(v) <= 0.82;
    }
  },
  /** An upward-pointing isosceles triangle: apex (0, −0.95), base at v = 0.75, width 1.9. */
  TRIANGLE {
    @Override
    public boolean contains(double u, double v) {
      return v <= 0.75 && v >= -0.95 && Math.abs(u) <= 0.95 * (v + 0.95) / 1.7;
    }
  },
  /** A square turned 45°: |u| + |v| ≤ 1. */
  DIAMOND {
    @Override
    public boolean contains(double u, double v) {
      return Math.abs(u) + Math.abs(v) <= 1.0;
    }
  },
  /** An annulus: 0.55 ≤ √(u² + v²) ≤ 1. */
  RING {
    @Override
    public boolean contains(double u, double v) {
      double rr = u * u + v * v;
      return rr <= 1.0 && rr >= 0.55 * 0.55;
    }
  },
  /** A plus sign of two bars 0.6 thick and 1.9 long. */
  CROSS {
    @Override
    public boolean contains(double u, double v) {
      double au = Math.abs(u);
      double av = Math.abs(v);
      return (au <= 0.3 && av <= 0.95) || (av <= 0.3 && au <= 0.95);
    }
  },
  /** A five-pointed star, point up, outer radius 1, inner radius 0.45. */
  STAR {
    @Override
    public boolean contains(double u, double v) {
      return insidePolygon(STAR_U, STAR_V, u, v);
    }
  },
  /** A disc with a disc of radius 0.8 centred at (0.45, 0) cut out: a crescent opening right. */
  CRESCENT {
    @Override
    public boolean contains(double u, double v) {
      double du = u - 0.45;
      return u * u + v * v <= 1.0 && du * du + v * v > 0.8 * 0.8;
    }
  };

  private static final double[] STAR_U = new double[10];
  private static final double[] STAR_V = new double[10];

  static {
    for (int i = 0; i < 10; i++) {
      double radius = i % 2 == 0 ? 1.0 : 0.45;
      double angle = -Math.PI / 2 + i * Math.PI / 5;
      STAR_U[i] = radius * Math.cos(angle);
      STAR_V[i] = radius * Math.sin(angle);
    }
  }

  /** Whether the point (u, v) of the object's bounding square [-1, 1]² is inside the shape. */
  public abstract boolean contains(double u, double v);

  /** The shape's word in captions and task files ("circle"). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The shape called {@code word}, or an error listing the known shapes. */
  public static ShapeKind parse(String word) {
    for (ShapeKind kind : values()) {
      if (kind.word().equals(word)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown shape '" + word + "'; known shapes: " + words());
  }

  /** The known shape words, comma-separated. */
  public static String words() {
    return Arrays.stream(values()).map(ShapeKind::word).collect(Collectors.joining(", "));
  }

  private static boolean insidePolygon(double[] xs, double[] ys, double x, double y) {
    boolean inside = false;
    for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
      if ((ys[i] > y) != (ys[j] > y)
          && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
        inside = !inside;
      }
    }
    return inside;
  }
}
