package dev.mmict.storage.dataset.draw;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where in the picture an object's centre lies, as ranges of the fraction t ∈ [0, 1] of the
 * centre's free travel along each axis (0: touching the left/top edge, 1: the right/bottom).
 */
public enum Region {
  /** Left quarter, vertically central half. */
  LEFT(0.0, 0.25, 0.25, 0.75),
  /** Right quarter, vertically central half. */
  RIGHT(0.75, 1.0, 0.25, 0.75),
  /** Top quarter, horizontally central half. */
  TOP(0.25, 0.75, 0.0, 0.25),
  /** Bottom quarter, horizontally central half. */
  BOTTOM(0.25, 0.75, 0.75, 1.0),
  /** The middle fifth on both axes. */
  CENTRE(0.4, 0.6, 0.4, 0.6),
  /** Anywhere the object fits; not a caption word (used when a task names no positions). */
  ANYWHERE(0.0, 1.0, 0.0, 1.0);

  final double xMin;
  final double xMax;
  final double yMin;
  final double yMax;

  Region(double xMin, double xMax, double yMin, double yMax) {
    this.xMin = xMin;
    this.xMax = xMax;
    this.yMin = yMin;
    this.yMax = yMax;
  }

  /** The region's word in captions and task files ("left"). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The region called {@code word}, or an error listing the known regions. */
  public static Region parse(String word) {
    for (Region r : values()) {
      if (r.word().equals(word)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown position '" + word + "'; known positions: "
            + Arrays.stream(values()).map(Region::word).collect(Collectors.joining(", ")));
  }
}
