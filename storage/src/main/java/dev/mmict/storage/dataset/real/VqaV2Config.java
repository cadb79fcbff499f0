package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * VQAv2 files per split: the questions JSON ({@code questions[]} with {@code image_id}, {@code
 * question}, {@code question_id}), the annotations JSON ({@code annotations[]} with {@code
 * question_id}, {@code multiple_choice_answer}, ten {@code answers[].answer}) and the COCO image
 * folder holding {@code COCO_<subtype>_<image_id, 12 digits>.jpg}.
 *
 * @param splits "train" / "val" / "test" → its files
 */
public record VqaV2Config(Map<String, Split> splits) implements SourceConfig {

  /** Freezes the map (in the given order). */
  public VqaV2Config {
    splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
  }

  /**
   * One split's files.
   *
   * @param questions the questions JSON
   * @param annotations the annotations JSON
   * @param images the COCO image folder (train2014 or val2014)
   * @param imageSubtype the file-name part such as "train2014"; null: the questions file's
   *     {@code data_subtype}
   * @param slice the part of the file's images this split takes (null: all)
   */
  public record Split(
      Path questions, Path annotations, Path images, String imageSubtype, Slice slice) {}
}
