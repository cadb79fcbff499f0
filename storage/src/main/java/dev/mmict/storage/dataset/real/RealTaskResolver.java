package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.image.Augmentation;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpecException;
import dev.mmict.storage.dataset.task.YamlLocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a bound {@link RealTaskFile} into a {@link RealTaskSpec}: fills defaults, resolves paths
 * against the root, checks that each source gets the keys it needs and no others, and reports
 * the first problem with its key and line.
 */
final class RealTaskResolver {

  /** Frames per clip when a video task does not say. */
  static final int DEFAULT_FRAMES = 8;

  private static final List<String> SPLITS = List.of(Dataset.TRAIN, Dataset.VAL, Dataset.TEST);

  private final String source;
  private final String yaml;
  private final Path baseDir;

  RealTaskResolver(String source, String yaml, Path baseDir) {
    this.source = source;
    this.yaml = yaml;
    this.baseDir = baseDir;
  }

  RealTaskSpec resolve(String name, RealTaskFile f) {
    String sourceWord = required(f.source(), "source");
    RealSource src = RealSource.find(sourceWord);
    if (src == null) {
      throw error(List.of("source"), "unknown source '" + sourceWord + "'; real sources: "
          + RealSource.words());
    }
    if (f.kind() != null && !f.kind().toLowerCase(Locale.ROOT).equals(
        src.kind().name().toLowerCase(Locale.ROOT))) {
      throw error(List.of("kind"), "source " + src.word() + " is a "
          + src.kind().name().toLowerCase(Locale.ROOT) + " task, not " + f.kind());
    }
    checkKeys(src, f);
    Path root = f.root() == null ? baseDir : baseDir.resolve(f.root());

    int imageSize = intIn(f.imageSize(), 32, 8, 1024, "image_size");
    int frames = src.video() ? intIn(f.frames(), DEFAULT_FRAMES, 1, VideoQaConfig.MAX_FRAMES,
        "frames") : 1;
    BadInputPolicy policy = enumValue(BadInputPolicy.class, f.onBadInput(), BadInputPolicy.FAIL,
        "on_bad_input");
    ImageCheck check = enumValue(ImageCheck.class, f.checkImages(), ImageCheck.HEADER,
        "check_images");
    Augmentation augmentation = f.augment() == null ? null : augmentation(f.augment());
    String problem = Texts.problem(f.prompt(), null, src.kind() == TaskKind.VQA);
    if (problem != null) {
      throw error(List.of("prompt"), problem);
    }
    problem = Texts.problem(null, f.demo(), src.kind() == TaskKind.VQA);
    if (problem != null) {
      throw error(List.of("demo"), problem);
    }
    Map<String, Integer> limits = new LinkedHashMap<>();
    if (f.limits() != null) {
      for (Map.Entry<String, Integer> e : f.limits().entrySet()) {
        splitName(e.getKey(), List.of("limits", e.getKey()));
        limits.put(e.getKey(), intIn(e.getValue(), 1, 1, Integer.MAX_VALUE,
            "limits." + e.getKey()));
      }
    }
    ReaderOptions options = new ReaderOptions(imageSize, policy, check, augmentation,
        f.seed() == null ? 0L : f.seed(), f.prompt(), f.demo(), limits);

    SourceConfig config = switch (src) {
      case COCO -> new CocoCaptionsConfig(splits(f, root, (split, s, key) -> {
        forbidIn(s.questions(), key, "questions", src);
        forbidIn(s.imageSubtype(), key, "image_subtype", src);
        return new CocoCaptionsConfig.Split(
            path(root, requiredIn(s.annotations(), key, "annotations")),
            path(root, requiredIn(s.images(), key, "images")), slice(s.slice(), key));
      }));
      case COCO_KARPATHY -> new KarpathyConfig(
          path(root, single(required(f.annotations(), "annotations"), "annotations")),
          path(root, required(f.images(), "images")),
          splitMap(f.splitMap(), KarpathyConfig.STANDARD_SPLITS));
      case VQAV2 -> new VqaV2Config(splits(f, root, (split, s, key) -> new VqaV2Config.Split(
          path(root, requiredIn(s.questions(), key, "questions")),
          path(root, requiredIn(s.annotations(), key, "annotations")),
          path(root, requiredIn(s.images(), key, "images")), s.imageSubtype(),
          slice(s.slice(), key))));
      case MSRVTT -> new MsrvttConfig(
          required(f.annotations(), "annotations").stream().map(p -> path(root, p)).toList(),
          path(root, required(f.framesDir(), "frames_dir")), frames,
          splitMap(f.splitMap(), MsrvttConfig.STANDARD_SPLITS));
      case MSVD -> new MsvdConfig(path(root, required(f.captions(), "captions")),
          path(root, required(f.framesDir(), "frames_dir")), frames, ranges(f.ranges()));
      case MSVD_QA, MSRVTT_QA -> videoQa(src, f, root, frames);
    };
    return new RealTaskSpec(name, f.description() == null ? "" : f.description().trim(), src,
        src.kind(), options, config);
  }

  private VideoQaConfig videoQa(RealSource src, RealTaskFile f, Path root, int frames) {
    Map<String, VideoQaConfig.Split> splits = splits(f, root, (split, s, key) -> {
      forbidIn(s.annotations(), key, "annotations", src);
      forbidIn(s.images(), key, "images", src);
      forbidIn(s.imageSubtype(), key, "image_subtype", src);
      return new VideoQaConfig.Split(path(root, requiredIn(s.questions(), key, "questions")),
          slice(s.slice(), key));
    });
    String clipName = f.clipName() != null ? f.clipName()
        : src == RealSource.MSVD_QA ? "vid{video_id}" : "video{video_id}";
    if (!clipName.contains("{video_id}")) {
      throw error(List.of("clip_name"), "must contain {video_id}, got '" + clipName + "'");
    }
    return new VideoQaConfig(splits, path(root, required(f.framesDir(), "frames_dir")), frames,
        clipName);
  }

  /** Builds one split's config from its YAML entry. */
  private interface SplitReader<T> {
    T read(String split, RealTaskFile.SplitFiles files, String key);
  }

  private <T> Map<String, T> splits(RealTaskFile f, Path root, SplitReader<T> reader) {
    Map<String, RealTaskFile.SplitFiles> raw = required(f.splits(), "splits");
    if (raw.isEmpty()) {
      throw error(List.of("splits"), "at least one of " + SPLITS + " is needed");
    }
    Map<String, T> out = new LinkedHashMap<>();
    for (Map.Entry<String, RealTaskFile.SplitFiles> e : raw.entrySet()) {
      String key = "splits." + e.getKey();
      splitName(e.getKey(), List.of("splits", e.getKey()));
      if (e.getValue() == null) {
        throw error(List.of("splits", e.getKey()), "expected the split's files");
      }
      out.put(e.getKey(), reader.read(e.getKey(), e.getValue(), key));
    }
    return out;
  }

  private Map<String, List<String>> splitMap(
      Map<String, List<String>> raw, Map<String, List<String>> standard) {
    if (raw == null) {
      return standard;
    }
    if (raw.isEmpty()) {
      throw error(List.of("split_map"), "at least one of " + SPLITS + " is needed");
    }
    for (Map.Entry<String, List<String>> e : raw.entrySet()) {
      splitName(e.getKey(), List.of("split_map", e.getKey()));
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw error(List.of("split_map", e.getKey()), "list the file's split values it takes");
      }
    }
    return raw;
  }

  private Map<String, MsvdConfig.Range> ranges(Map<String, List<Integer>> raw) {
    if (raw == null) {
      return MsvdConfig.STANDARD_RANGES;
    }
    Map<String, MsvdConfig.Range> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : raw.entrySet()) {
      List<Object> key = List.of("ranges", e.getKey());
      splitName(e.getKey(), key);
      List<Integer> v = e.getValue();
      if (v == null || v.size() != 2 || v.get(0) == null || v.get(1) == null
          || v.get(0) < 0 || v.get(1) <= v.get(0)) {
        throw error(key, "expected [first, end) clip positions with 0 ≤ first < end, got " + v);
      }
      out.put(e.getKey(), new MsvdConfig.Range(v.get(0), v.get(1)));
    }
    return out;
  }

  private Slice slice(List<Double> raw, String splitKey) {
    if (raw == null) {
      return null;
    }
    if (raw.size() != 2 || raw.get(0) == null || raw.get(1) == null
        || !(raw.get(0) >= 0 && raw.get(0) < raw.get(1) && raw.get(1) <= 1)) {
      throw error(path(splitKey + ".slice"),
          "expected [from, to] fractions with 0 ≤ from < to ≤ 1, got " + raw);
    }
    return new Slice(raw.get(0), raw.get(1));
  }

  private Augmentation augmentation(RealTaskFile.Augment a) {
    Augmentation std = Augmentation.STANDARD;
    double[] scale = pair(a.scale(), std.minScale(), std.maxScale(), "augment.scale");
    double[] ratio = pair(a.ratio(), std.minRatio(), std.maxRatio(), "augment.ratio");
    try {
      return new Augmentation(scale[0], scale[1], ratio[0], ratio[1],
          a.flip() == null ? std.flip() : a.flip());
    } catch (IllegalArgumentException e) {
      throw error(List.of("augment"), e.getMessage());
    }
  }

  private double[] pair(List<Double> raw, double lo, double hi, String key) {
    if (raw == null) {
      return new double[] {lo, hi};
    }
    if (raw.size() != 2 || raw.get(0) == null || raw.get(1) == null) {
      throw error(path(key), "expected [min, max], got " + raw);
    }
    return new double[] {raw.get(0), raw.get(1)};
  }

  /** Fails on a key this source does not use, or a missing frame count for images. */
  private void checkKeys(RealSource src, RealTaskFile f) {
    Map<String, Object> specific = new LinkedHashMap<>();
    specific.put("frames", f.frames());
    specific.put("annotations", f.annotations());
    specific.put("images", f.images());
    specific.put("captions", f.captions());
    specific.put("frames_dir", f.framesDir());
    specific.put("clip_name", f.clipName());
    specific.put("split_map", f.splitMap());
    specific.put("ranges", f.ranges());
    specific.put("splits", f.splits());
    Set<String> allowed = switch (src) {
      case COCO, VQAV2 -> Set.of("splits");
      case COCO_KARPATHY -> Set.of("annotations", "images", "split_map");
      case MSRVTT -> Set.of("frames", "annotations", "frames_dir", "split_map");
      case MSVD -> Set.of("frames", "captions", "frames_dir", "ranges");
      case MSVD_QA, MSRVTT_QA -> Set.of("frames", "splits", "frames_dir", "clip_name");
    };
    for (Map.Entry<String, Object> e : specific.entrySet()) {
      if (e.getValue() != null && !allowed.contains(e.getKey())) {
        throw error(List.of(e.getKey()), "not used by source " + src.word() + " (its own keys: "
            + new TreeSet<>(allowed) + ")");
      }
    }
  }

  private void splitName(String split, List<Object> key) {
    if (!SPLITS.contains(split)) {
      throw error(key, "unknown split '" + split + "'; expected one of " + SPLITS);
    }
  }

  private String single(List<String> values, String key) {
    if (values.size() != 1) {
      throw error(path(key), "expected one file, got " + values.size());
    }
    return values.get(0);
  }

  private static Path path(Path root, String p) {
    return root.resolve(p).normalize();
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, String raw, E dflt, String key) {
    if (raw == null) {
      return dflt;
    }
    List<String> names = new ArrayList<>();
    for (E c : type.getEnumConstants()) {
      String word = c.name().toLowerCase(Locale.ROOT);
      names.add(word);
      if (word.equals(raw.toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw error(path(key), "expected one of " + names + ", got '" + raw + "'");
  }

  private int intIn(Integer value, int dflt, int min, int max, String key) {
    int v = value == null ? dflt : value;
    if (v < min || v > max) {
      throw error(path(key), "must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  private <T> T required(T value, String key) {
    if (value == null) {
      throw error(path(key), "missing (required)");
    }
    return value;
  }

  private <T> T requiredIn(T value, String splitKey, String field) {
    return required(value, splitKey + "." + field);
  }

  private void forbidIn(Object value, String splitKey, String field, RealSource src) {
    if (value != null) {
      throw error(path(splitKey + "." + field), "not used by source " + src.word());
    }
  }

  private static List<Object> path(String dotted) {
    return List.of((Object[]) dotted.split("\\."));
  }

  private TaskSpecException error(List<Object> key, String problem) {
    return new TaskSpecException(source, YamlLocator.dotted(key), YamlLocator.line(yaml, key),
        problem, null);
  }
}
