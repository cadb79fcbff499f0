package dev.mmict.storage.dataset.image;

import dev.mmict.storage.dataset.Frame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns the picture files of one sample (one image, or the frames of a clip) into square
 * {@code size}×{@code size} RGB {@link Frame}s: for evaluation the largest centred square
 * resized (same as resizing the shorter side to {@code size} and cropping the centre); for
 * training, when an {@link Augmentation} is set, one random resized crop and flip drawn per
 * sample and applied to every frame alike, so the motion in a clip stays intact.
 *
 * <p>Frames are decoded one at a time; only the resized results are kept.
 *
 * @param size side S of the output frames, pixels
 * @param augmentation the training augmentation, or null for none
 */
public record ImagePipeline(int size, Augmentation augmentation) {

  /** Checks the size. */
  public ImagePipeline {
    if (size < 1 || size > 4096) {
      throw new IllegalArgumentException("Image size must be in [1, 4096], got " + size);
    }
  }

  /**
   * The frames of {@code files}, each [3, S, S].
   *
   * @param random the sample's own random stream for the training augmentation, or null for the
   *     evaluation transform (also used when no augmentation is set)
   * @throws ImageDecodeException naming the file that cannot be read
   */
  public List<Frame> load(List<Path> files, SplittableRandom random) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No picture files to load");
    }
    List<Frame> out = new ArrayList<>(files.size());
    Augmentation.Draw draw = null;
    for (Path file : files) {
      Frame decoded = ImageDecoder.decode(file);
      if (draw == null) {
        // Drawn once, from the first frame's size, for the whole clip.
        draw = random == null || augmentation == null
            ? new Augmentation.Draw(CropBox.centreSquare(decoded.width(), decoded.height()), false)
            : augmentation.draw(random, decoded.width(), decoded.height());
      }
      out.add(transform(decoded, draw));
    }
    return out;
  }

  /** {@code decoded} cropped, resized to S×S and possibly mirrored as {@code draw} says. */
  public Frame transform(Frame decoded, Augmentation.Draw draw) {
    Frame resized = Resampler.resample(decoded, draw.box(), size, size);
    return draw.flip() ? Resampler.flipHorizontal(resized) : resized;
  }
}
