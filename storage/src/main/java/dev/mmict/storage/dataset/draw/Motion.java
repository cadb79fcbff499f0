package dev.mmict.storage.dataset.draw;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The direction an object moves between the frames of a video (image y grows downwards). */
public enum Motion {
  /** Towards smaller x. */
  LEFT(-1, 0),
  /** Towards larger x. */
  RIGHT(1, 0),
  /** Towards smaller y. */
  UP(0, -1),
  /** Towards larger y. */
  DOWN(0, 1);

  /** Unit step along x per frame. */
  public final int dx;
  /** Unit step along y per frame. */
  public final int dy;

  Motion(int dx, int dy) {
    this.dx = dx;
    this.dy = dy;
  }

  /** The direction's word in captions and task files ("left"). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The direction called {@code word}, or an error listing the known directions. */
  public static Motion parse(String word) {
    for (Motion m : values()) {
      if (m.word().equals(word)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown motion '" + word + "'; known motions: "
            + Arrays.stream(values()).map(Motion::word).collect(Collectors.joining(", ")));
  }
}
