package dev.mmict.storage.dataset.real;

import java.util.List;
import java.util.Map;

/**
 * The YAML of a real-dataset task as written, before defaults and validation (every field
 * nullable). Keys are the snake_case forms of the component names; storage/README.md ("Real
 * datasets") documents each one.
 */
record RealTaskFile(
    String description,
    String kind,
    String source,
    String root,
    Long seed,
    Integer imageSize,
    Integer frames,
    String onBadInput,
    String checkImages,
    Augment augment,
    String prompt,
    String demo,
    Map<String, Integer> limits,
    List<String> annotations,
    String images,
    String captions,
    String framesDir,
    String clipName,
    Map<String, List<String>> splitMap,
    Map<String, List<Integer>> ranges,
    Map<String, SplitFiles> splits) {

  /** Training augmentation; absent keys take {@code Augmentation.STANDARD}'s values. */
  record Augment(List<Double> scale, List<Double> ratio, Boolean flip) {}

  /** One split's files (which keys apply depends on the source). */
  record SplitFiles(
      String annotations, String images, String questions, String imageSubtype,
      List<Double> slice) {}
}
