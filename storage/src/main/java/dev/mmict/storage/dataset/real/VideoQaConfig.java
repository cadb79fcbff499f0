package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MSVD-QA / MSRVTT-QA: per split a JSON list of {@code {"question", "answer", "id", "video_id"}}
 * (or {@code "video"} holding the clip id itself) and a folder of frame folders.
 *
 * @param splits "train" / "val" / "test" → its questions file and slice
 * @param framesDir the folder holding one frame folder per clip
 * @param frames frames sampled per clip, F
 * @param clipName the clip folder name as a template of {@code {video_id}}, e.g. "video{video_id}"
 *     for MSRVTT-QA, "vid{video_id}" for MSVD-QA; records with a {@code video} field use it as is
 */
public record VideoQaConfig(
    Map<String, Split> splits, Path framesDir, int frames, String clipName)
    implements SourceConfig {

  /** Most frames per clip a reader samples. */
  public static final int MAX_FRAMES = 64;

  /** Checks F and the template and freezes the map. */
  public VideoQaConfig {
    checkFrames(frames);
    if (clipName == null || !clipName.contains("{video_id}")) {
      throw new IllegalArgumentException(
          "clip_name must contain {video_id}, got " + clipName);
    }
    splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
  }

  /**
   * One split.
   *
   * @param questions the JSON list
   * @param slice the part of its clips this split takes (null: all)
   */
  public record Split(Path questions, Slice slice) {}

  static void checkFrames(int frames) {
    if (frames < 1 || frames > MAX_FRAMES) {
      throw new IllegalArgumentException(
          "frames per clip must be in [1, " + MAX_FRAMES + "], got " + frames);
    }
  }
}
