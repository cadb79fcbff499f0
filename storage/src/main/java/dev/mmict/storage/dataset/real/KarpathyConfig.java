package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Karpathy split file ({@code dataset_coco.json}, also {@code dataset_flickr8k.json} /
 * {@code dataset_flickr30k.json}): {@code images[]} with {@code filepath}, {@code filename},
 * {@code split}, {@code cocoid} (or {@code imgid}) and {@code sentences[].raw}.
 *
 * @param annotations the JSON file
 * @param images the folder the {@code filepath}/{@code filename} paths are relative to (for COCO
 *     the folder holding {@code train2014/} and {@code val2014/})
 * @param splitMap dataset split → the file's split values it takes
 */
public record KarpathyConfig(Path annotations, Path images, Map<String, List<String>> splitMap)
    implements SourceConfig {

  /** The usual mapping: train ← train + restval, val ← val, test ← test. */
  public static final Map<String, List<String>> STANDARD_SPLITS = standard();

  /** Freezes the map (in the given order). */
  public KarpathyConfig {
    splitMap = Collections.unmodifiableMap(new LinkedHashMap<>(splitMap));
  }

  private static Map<String, List<String>> standard() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put("train", List.of("train", "restval"));
    out.put("val", List.of("val"));
    out.put("test", List.of("test"));
    return Collections.unmodifiableMap(out);
  }
}
