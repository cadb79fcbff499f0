package dev.mmict.storage.dataset.real;

/**
 * A part of a split's images or videos, as fractions of their number in file order: {@code [0,
 * 0.5]} and {@code [0.5, 1]} divide one official file (say COCO val2014) into val and test. All
 * samples of one image or video land in the same part.
 *
 * @param from first fraction, in [0, 1)
 * @param to last fraction, in (from, 1]
 */
public record Slice(double from, double to) {

  /** All of it. */
  public static final Slice ALL = new Slice(0, 1);

  /** Checks 0 ≤ from &lt; to ≤ 1. */
  public Slice {
    if (!(from >= 0 && from < to && to <= 1)) {
      throw new IllegalArgumentException("slice needs 0 ≤ from < to ≤ 1, got [" + from + ", " + to + "]");
    }
  }

  /** Positions [first, end) of {@code count} items that this slice keeps. */
  int first(int count) {
    return (int) Math.round(from * count);
  }

  int end(int count) {
    return (int) Math.round(to * count);
  }
}
