package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.image.Augmentation;
import java.util.Map;

/**
 * Settings every reader shares.
 *
 * @param imageSize side S of the square frames the pictures become, pixels
 * @param policy what to do with a bad record
 * @param imageCheck how thoroughly picture files are checked when the dataset is opened
 * @param augmentation random resized crop and flip for the train split, or null for none
 * @param seed with the sample id, seeds the sample's augmentation draw
 * @param prompt the query instruction template ({@code {question}} for qa sources), or null for
 *     the reader's default
 * @param demo the demonstration text template ({@code {target}}, {@code {prompt}}, qa also
 *     {@code {question}}, {@code {answer}}), or null for the reader's default
 * @param limits split → most samples kept (the first ones), splits absent: all
 */
public record ReaderOptions(
    int imageSize,
    BadInputPolicy policy,
    ImageCheck imageCheck,
    Augmentation augmentation,
    long seed,
    String prompt,
    String demo,
    Map<String, Integer> limits) {

  /** Checks the values and freezes the map. */
  public ReaderOptions {
    if (imageSize < 8 || imageSize > 1024) {
      throw new IllegalArgumentException("image_size must be in [8, 1024], got " + imageSize);
    }
    if (policy == null || imageCheck == null) {
      throw new IllegalArgumentException("policy and imageCheck are required");
    }
    limits = Map.copyOf(limits == null ? Map.of() : limits);
    for (Map.Entry<String, Integer> e : limits.entrySet()) {
      if (e.getValue() < 1) {
        throw new IllegalArgumentException("limit of split " + e.getKey() + " must be ≥ 1, got "
            + e.getValue());
      }
    }
  }

  /** S-pixel frames, fail on bad input, header checks, no augmentation, default texts. */
  public static ReaderOptions of(int imageSize) {
    return new ReaderOptions(imageSize, BadInputPolicy.FAIL, ImageCheck.HEADER, null, 0, null,
        null, Map.of());
  }

  /** A copy with another policy. */
  public ReaderOptions withPolicy(BadInputPolicy newPolicy) {
    return new ReaderOptions(imageSize, newPolicy, imageCheck, augmentation, seed, prompt, demo,
        limits);
  }

  /** A copy with another image check. */
  public ReaderOptions withImageCheck(ImageCheck check) {
    return new ReaderOptions(imageSize, policy, check, augmentation, seed, prompt, demo, limits);
  }

  /** A copy with another augmentation and seed. */
  public ReaderOptions withAugmentation(Augmentation newAugmentation, long newSeed) {
    return new ReaderOptions(imageSize, policy, imageCheck, newAugmentation, newSeed, prompt, demo,
        limits);
  }

  /** A copy with other limits. */
  public ReaderOptions withLimits(Map<String, Integer> newLimits) {
    return new ReaderOptions(imageSize, policy, imageCheck, augmentation, seed, prompt, demo,
        newLimits);
  }
}
