package dev.mmict.hub.assembly;

/**
 * The pixels of one image or video clip, already normalised: {@code frames} frames of C×H×W
 * floats, concatenated frame-major.
 *
 * @param key identifies the pixels for the frozen-feature cache (sample id plus augmentation), or
 *     null when they must not be cached
 */
public record Visual(String key, float[] pixels, int frames) {
  /** Checks that the buffer divides into frames. */
  public Visual {
    if (frames < 1 || pixels.length % frames != 0) {
      throw new IllegalArgumentException("visual of " + pixels.length + " floats does not split into "
          + frames + " frames");
    }
  }
}
