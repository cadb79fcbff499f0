package dev.mmict.hub.assembly;

/**
 * The pixels of one image or video clip, already normalised: {@code frames} frames of C×H×W
 * floats, concatenated frame-major.
 */
public record Visual(float[] pixels, int frames) {
  /** Checks that the buffer divides into frames. */
  public Visual {
    if (frames < 1 || pixels.length % frames != 0) {
      throw new IllegalArgumentException("visual of " + pixels.length + " floats does not split into "
          + frames + " frames");
    }
  }
}
