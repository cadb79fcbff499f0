package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The official COCO captions files ({@code captions_train2014.json}: {@code images[]} with
 * {@code id} and {@code file_name}, {@code annotations[]} with {@code image_id} and {@code
 * caption}) and their image folders, per split.
 *
 * @param splits "train" / "val" / "test" → its files
 */
public record CocoCaptionsConfig(Map<String, Split> splits) implements SourceConfig {

  /** Freezes the map (in the given order). */
  public CocoCaptionsConfig {
    splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
  }

  /**
   * One split's files.
   *
   * @param annotations the captions JSON
   * @param images the folder of the {@code file_name}s
   * @param slice the part of the file's images this split takes (null: all)
   */
  public record Split(Path annotations, Path images, Slice slice) {}
}
