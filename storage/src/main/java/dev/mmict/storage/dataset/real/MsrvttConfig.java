package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MSR-VTT captioning: the {@code videodatainfo.json} files ({@code videos[]} with {@code
 * video_id} and {@code split}, {@code sentences[]} with {@code video_id} and {@code caption}) and
 * a folder of frame folders, one per {@code video_id}.
 *
 * @param annotations one or more JSON files (the 2016 release has train_val_ and test_)
 * @param framesDir the folder holding {@code <video_id>/} frame folders
 * @param frames frames sampled per clip, F
 * @param splitMap dataset split → the file's {@code split} values it takes
 */
public record MsrvttConfig(
    List<Path> annotations, Path framesDir, int frames, Map<String, List<String>> splitMap)
    implements SourceConfig {

  /** train ← train, val ← validate, test ← test. */
  public static final Map<String, List<String>> STANDARD_SPLITS = standard();

  /** Checks F and freezes the collections. */
  public MsrvttConfig {
    annotations = List.copyOf(annotations);
    if (annotations.isEmpty()) {
      throw new IllegalArgumentException("MSR-VTT needs at least one annotations file");
    }
    VideoQaConfig.checkFrames(frames);
    splitMap = Collections.unmodifiableMap(new LinkedHashMap<>(splitMap));
  }

  private static Map<String, List<String>> standard() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put("train", List.of("train"));
    out.put("val", List.of("validate"));
    out.put("test", List.of("test"));
    return Collections.unmodifiableMap(out);
  }
}
