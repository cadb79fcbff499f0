package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MSVD captioning from a simple map {@code {"<clip_id>": ["caption", ...], ...}} and a folder of
 * frame folders, one per clip id. The file has no splits: clips are put in natural order of
 * their ids (vid1, vid2, …, vid10) and split by position ranges.
 *
 * @param captions the JSON map
 * @param framesDir the folder holding {@code <clip_id>/} frame folders
 * @param frames frames sampled per clip, F
 * @param ranges dataset split → [first, end) positions in the sorted clip list
 */
public record MsvdConfig(Path captions, Path framesDir, int frames, Map<String, Range> ranges)
    implements SourceConfig {

  /** The standard MSVD split of 1970 clips: 1200 train, 100 val, 670 test. */
  public static final Map<String, Range> STANDARD_RANGES = standard();

  /** Checks F and freezes the map. */
  public MsvdConfig {
    VideoQaConfig.checkFrames(frames);
    ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
  }

  /**
   * Positions [first, end) of the sorted clips.
   *
   * @param first first position, ≥ 0
   * @param end one past the last, &gt; first
   */
  public record Range(int first, int end) {
    /** Checks 0 ≤ first &lt; end. */
    public Range {
      if (first < 0 || end <= first) {
        throw new IllegalArgumentException("range needs 0 ≤ first < end, got [" + first + ", "
            + end + ")");
      }
    }
  }

  private static Map<String, Range> standard() {
    Map<String, Range> out = new LinkedHashMap<>();
    out.put("train", new Range(0, 1200));
    out.put("val", new Range(1200, 1300));
    out.put("test", new Range(1300, 1970));
    return Collections.unmodifiableMap(out);
  }
}
