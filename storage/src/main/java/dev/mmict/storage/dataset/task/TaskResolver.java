package dev.mmict.storage.dataset.task;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.draw.Motion;
import dev.mmict.storage.dataset.draw.Region;
import dev.mmict.storage.dataset.draw.ShapeKind;
import dev.mmict.storage.dataset.task.TaskSpec.Question;
import dev.mmict.storage.dataset.task.TaskSpec.Range;
import dev.mmict.storage.dataset.task.TaskSpec.Rgb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a bound {@link TaskFile} into a {@link TaskSpec}: fills defaults, checks every value and
 * every template placeholder, and reports the first problem with its key and line.
 */
final class TaskResolver {

  /** The attributes an object has and templates may mention. */
  static final List<String> ATTRIBUTES =
      List.of("colour", "shape", "class", "size", "position", "motion");

  /** Where Debian's dataset-fashion-mnist puts the IDX files. */
  static final String DEFAULT_FMNIST_DIR = "/usr/share/datasets/fashion-mnist";

  /** The Fashion-MNIST label names, labels 0–9. */
  static final List<String> FMNIST_CLASSES =
      List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
          "bag", "ankle boot");

  private static final Map<String, Rgb> DEFAULT_COLOURS = defaultColours();

  private final String source;
  private final String yaml;

  TaskResolver(String source, String yaml) {
    this.source = source;
    this.yaml = yaml;
  }

  TaskSpec resolve(String name, TaskFile f) {
    TaskKind kind = required(f.kind(), "kind");
    TaskSource src = f.source() == null ? TaskSource.SHAPES : f.source();
    boolean shapes = src == TaskSource.SHAPES;
    boolean binding = kind == TaskKind.FASTBINDING;

    int imageSize = intIn(f.imageSize(), 32, 8, 512, "image_size");
    int frames = intIn(f.frames(), 1, 1, 16, "frames");
    Map<String, Integer> splits = splits(required(f.splits(), "splits"));

    Map<String, Rgb> colours =
        f.colours() == null ? (shapes ? DEFAULT_COLOURS : Map.of()) : colours(f.colours());
    if (shapes && colours.isEmpty()) {
      throw error(List.of("colours"), "the shapes source needs at least one colour");
    }
    List<String> shapeWords = List.of();
    List<String> classWords = List.of();
    if (shapes) {
      forbid(f.classes(), "classes", "only the fmnist source has classes");
      forbid(f.fmnistDir(), "fmnist_dir", "only the fmnist source reads files");
      shapeWords = f.shapes() == null ? allShapes() : shapeWords(f.shapes());
    } else {
      forbid(f.shapes(), "shapes", "the fmnist source draws its classes, not shapes");
      classWords = f.classes() == null ? FMNIST_CLASSES : words(f.classes(), "classes", 10, 10);
    }
    int classCount = shapes ? shapeWords.size() : classWords.size();

    Map<String, Range> sizes =
        f.sizes() == null
            ? (shapes
                ? orderedMap("small", new Range(0.35, 0.45), "large", new Range(0.6, 0.75))
                : orderedMap("large", new Range(0.8, 0.9), null, null))
            : sizes(f.sizes());
    List<String> positions = f.positions() == null ? List.of() : positions(f.positions());
    List<String> motions = List.of();
    double motionStep = 0;
    if (frames > 1) {
      motions = f.motions() == null ? allMotions() : motions(f.motions());
      motionStep = doubleIn(f.motionStep(), 0.08, 0.0, 0.5, "motion_step");
      if (!positions.isEmpty()) {
        throw error(List.of("positions"),
            "positions describe still objects; a video (frames > 1) moves its object instead");
      }
      double travel = motionStep * (frames - 1);
      for (Map.Entry<String, Range> e : sizes.entrySet()) {
        if (e.getValue().max() + travel > 1.0 + 1e-9) {
          throw error(List.of("sizes", e.getKey()),
              "an object of extent " + e.getValue().max() + " moving " + travel
                  + " (motion_step × (frames − 1)) leaves the picture; shrink it or the step");
        }
      }
    } else {
      forbid(f.motions(), "motions", "motions need frames > 1");
      forbid(f.motionStep(), "motion_step", "motion_step needs frames > 1");
    }
    double noise = doubleIn(f.noise(), 0.0, 0.0, 1.0, "noise");
    Rgb background = f.background() == null ? new Rgb(0, 0, 0) : rgb(f.background(), List.of("background"));

    Set<String> available = availableAttributes(!colours.isEmpty(), !positions.isEmpty(), frames);

    List<String> prompts = required(f.prompts(), "prompts");
    List<String> demos = required(f.demos(), "demos");
    nonEmptyStrings(prompts, "prompts");
    nonEmptyStrings(demos, "demos");
    List<String> targets = List.of();
    List<Question> questions = List.of();
    Map<String, List<String>> synonyms = Map.of();
    Set<String> demoSlots = new HashSet<>(available);
    demoSlots.add("target");
    demoSlots.add("prompt");
    Set<String> promptSlots = new HashSet<>();
    switch (kind) {
      case CAPTION -> {
        targets = required(f.targets(), "targets");
        nonEmptyStrings(targets, "targets");
        checkSlots(targets, "targets", available);
      }
      case VQA -> {
        forbid(f.targets(), "targets", "a vqa target is the answer to its question");
        questions = questions(required(f.questions(), "questions"), available);
        synonyms = f.synonyms() == null ? Map.of() : synonyms(f.synonyms());
        promptSlots.add("question");
        demoSlots.add("question");
        demoSlots.add("answer");
      }
      case FASTBINDING -> {
        forbid(f.targets(), "targets", "a fastbinding target is the object's name");
        demoSlots.add("name");
      }
      default -> throw new IllegalStateException("unhandled kind " + kind);
    }
    if (kind != TaskKind.VQA) {
      forbid(f.questions(), "questions", "only vqa tasks ask questions");
      forbid(f.synonyms(), "synonyms", "only vqa tasks have answer synonyms");
    }
    checkSlots(prompts, "prompts", promptSlots);
    checkSlots(demos, "demos", demoSlots);
    if (kind == TaskKind.VQA) {
      for (String p : prompts) {
        if (!Template.placeholders(p).contains("question")) {
          throw error(List.of("prompts"), "vqa prompt '" + p + "' must contain {question}");
        }
      }
    }

    List<String> trainNames = List.of();
    List<String> evalNames = List.of();
    int minWays = 0;
    int maxWays = 0;
    int shots = 0;
    double shareColour = 0;
    double queryRepeatsDemo = 0;
    if (binding) {
      TaskFile.Ways ways = required(f.ways(), "ways");
      minWays = intIn(required(ways.min(), "ways.min"), 0, 2, classCount, "ways.min");
      maxWays = intIn(required(ways.max(), "ways.max"), 0, minWays, classCount, "ways.max");
      shots = intIn(f.shots(), 1, 1, 64, "shots");
      shareColour = doubleIn(f.shareColour(), 0.0, 0.0, 1.0, "share_colour");
      queryRepeatsDemo = doubleIn(f.queryRepeatsDemo(), 0.0, 0.0, 1.0, "query_repeats_demo");
      TaskFile.NamePools pools = required(f.names(), "names");
      trainNames = words(required(pools.train(), "names.train"), "names.train", maxWays, 100_000);
      evalNames = words(required(pools.eval(), "names.eval"), "names.eval", maxWays, 100_000);
      if (pools.generatedTrain() != null) {
        int count = intIn(pools.generatedTrain(), 0, 0, 100_000, "names.generated_train");
        Set<String> excluded = new HashSet<>(Tasks.listedNames());
        excluded.addAll(evalNames);
        NameGenerator.Style style;
        try {
          style = pools.generatedStyle() == null ? NameGenerator.Style.SIMPLE
              : NameGenerator.Style.parse(pools.generatedStyle());
        } catch (IllegalArgumentException e) {
          throw error(List.of("names", "generated_style"), e.getMessage());
        }
        trainNames = NameGenerator.extend(trainNames, count, f.seed() == null ? 0L : f.seed(), excluded, style);
      }
      Set<String> overlap = new HashSet<>(trainNames);
      overlap.retainAll(evalNames);
      if (!overlap.isEmpty()) {
        throw error(List.of("names", "eval"),
            "the eval name pool must be disjoint from the train pool; both contain " + overlap);
      }
    } else {
      forbid(f.ways(), "ways", "only fastbinding tasks have ways");
      forbid(f.shots(), "shots", "only fastbinding tasks set shots in the task (others: in the run config)");
      forbid(f.names(), "names", "only fastbinding tasks have name pools");
      forbid(f.shareColour(), "share_colour", "only fastbinding tasks share colours");
      forbid(f.queryRepeatsDemo(), "query_repeats_demo", "only fastbinding tasks have a query to repeat");
    }
    Path fmnistDir = shapes ? null : Path.of(f.fmnistDir() == null ? DEFAULT_FMNIST_DIR : f.fmnistDir());

    return new TaskSpec(
        name,
        f.description() == null ? "" : f.description().trim(),
        kind,
        src,
        f.seed() == null ? 0L : f.seed(),
        imageSize,
        frames,
        splits,
        colours,
        shapeWords,
        classWords,
        sizes,
        positions,
        motions,
        motionStep,
        noise,
        background,
        List.copyOf(prompts),
        List.copyOf(targets),
        List.copyOf(demos),
        questions,
        synonyms,
        trainNames,
        evalNames,
        minWays,
        maxWays,
        shots,
        shareColour,
        queryRepeatsDemo,
        fmnistDir);
  }

  private static Set<String> availableAttributes(boolean colours, boolean positions, int frames) {
    Set<String> out = new HashSet<>(List.of("shape", "class", "size"));
    if (colours) {
      out.add("colour");
    }
    if (positions) {
      out.add("position");
    }
    if (frames > 1) {
      out.add("motion");
    }
    return out;
  }

  private Map<String, Integer> splits(TaskFile.SplitSizes s) {
    Map<String, Integer> out = new LinkedHashMap<>();
    out.put(Dataset.TRAIN, intIn(required(s.train(), "splits.train"), 0, 1, 100_000_000, "splits.train"));
    out.put(Dataset.VAL, intIn(required(s.val(), "splits.val"), 0, 1, 100_000_000, "splits.val"));
    out.put(Dataset.TEST, intIn(required(s.test(), "splits.test"), 0, 1, 100_000_000, "splits.test"));
    return java.util.Collections.unmodifiableMap(out);
  }

  private Map<String, Rgb> colours(Map<String, List<Integer>> raw) {
    Map<String, Rgb> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : raw.entrySet()) {
      word(e.getKey(), List.of("colours", e.getKey()));
      out.put(e.getKey(), rgb(e.getValue(), List.of("colours", e.getKey())));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private Rgb rgb(List<Integer> v, List<Object> key) {
    if (v == null || v.size() != 3) {
      throw error(key, "expected [r, g, b] with three integers 0–255, got " + v);
    }
    for (int i = 0; i < 3; i++) {
      Integer c = v.get(i);
      if (c == null || c < 0 || c > 255) {
        throw error(key, "channel " + i + " must be an integer 0–255, got " + c);
      }
    }
    return new Rgb(v.get(0), v.get(1), v.get(2));
  }

  private List<String> shapeWords(List<String> raw) {
    List<String> out = words(raw, "shapes", 1, ShapeKind.values().length);
    for (int i = 0; i < out.size(); i++) {
      try {
        ShapeKind.parse(out.get(i));
      } catch (IllegalArgumentException e) {
        throw error(List.of("shapes", i), e.getMessage());
      }
    }
    return out;
  }

  private List<String> positions(List<String> raw) {
    List<String> out = words(raw, "positions", 1, Region.values().length);
    for (int i = 0; i < out.size(); i++) {
      Region r;
      try {
        r = Region.parse(out.get(i));
      } catch (IllegalArgumentException e) {
        throw error(List.of("positions", i), e.getMessage());
      }
      if (r == Region.ANYWHERE) {
        throw error(List.of("positions", i),
            "'anywhere' is what an empty positions list means; it is not a caption word");
      }
    }
    return out;
  }

  private List<String> motions(List<String> raw) {
    List<String> out = words(raw, "motions", 1, Motion.values().length);
    for (int i = 0; i < out.size(); i++) {
      try {
        Motion.parse(out.get(i));
      } catch (IllegalArgumentException e) {
        throw error(List.of("motions", i), e.getMessage());
      }
    }
    return out;
  }

  private Map<String, Range> sizes(Map<String, List<Double>> raw) {
    if (raw.isEmpty()) {
      throw error(List.of("sizes"), "at least one size is needed");
    }
    Map<String, Range> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Double>> e : raw.entrySet()) {
      List<Object> key = List.of("sizes", e.getKey());
      word(e.getKey(), key);
      List<Double> v = e.getValue();
      if (v == null || v.size() != 2 || v.get(0) == null || v.get(1) == null) {
        throw error(key, "expected [min, max] extents as fractions of image_size, got " + v);
      }
      double min = v.get(0);
      double max = v.get(1);
      if (!(min > 0.05 && min <= max && max <= 1.0)) {
        throw error(key, "need 0.05 < min ≤ max ≤ 1, got [" + min + ", " + max + "]");
      }
      out.put(e.getKey(), new Range(min, max));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private List<Question> questions(List<TaskFile.Question> raw, Set<String> available) {
    if (raw.isEmpty()) {
      throw error(List.of("questions"), "at least one question is needed");
    }
    List<Question> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      TaskFile.Question q = raw.get(i);
      if (q == null || q.question() == null || q.question().isBlank()) {
        throw error(List.of("questions", i, "question"), "missing question text");
      }
      if (q.answer() == null) {
        throw error(List.of("questions", i, "answer"),
            "missing: which attribute answers it (" + String.join(", ", ATTRIBUTES) + ")");
      }
      if (!ATTRIBUTES.contains(q.answer())) {
        throw error(List.of("questions", i, "answer"),
            "unknown attribute '" + q.answer() + "'; expected one of " + ATTRIBUTES);
      }
      if (!available.contains(q.answer())) {
        throw error(List.of("questions", i, "answer"), unavailable(q.answer()));
      }
      Set<String> slots = new HashSet<>(available);
      slots.remove(q.answer());
      if (q.answer().equals("shape") || q.answer().equals("class")) {
        slots.remove("shape");
        slots.remove("class");
      }
      checkSlots(q.question(), List.of("questions", i, "question"), slots);
      out.add(new Question(q.question(), q.answer()));
    }
    return List.copyOf(out);
  }

  private Map<String, List<String>> synonyms(Map<String, List<String>> raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : raw.entrySet()) {
      out.put(e.getKey(), words(e.getValue(), "synonyms." + e.getKey(), 1, 100));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private void checkSlots(List<String> templates, String key, Set<String> allowed) {
    for (int i = 0; i < templates.size(); i++) {
      checkSlots(templates.get(i), List.of(key, i), allowed);
    }
  }

  private void checkSlots(String template, List<Object> key, Set<String> allowed) {
    for (String slot : Template.placeholders(template)) {
      if (!allowed.contains(slot)) {
        String why = ATTRIBUTES.contains(slot) ? unavailable(slot)
            : "allowed here: " + new java.util.TreeSet<>(allowed);
        throw error(key, "template '" + template + "' uses {" + slot + "}: " + why);
      }
    }
  }

  private static String unavailable(String attribute) {
    return switch (attribute) {
      case "colour" -> "this task has no colours (uncoloured fmnist)";
      case "position" -> "this task lists no positions (or is a video)";
      case "motion" -> "only videos (frames > 1) move";
      default -> "{" + attribute + "} is not available here";
    };
  }

  private void nonEmptyStrings(List<String> values, String key) {
    if (values.isEmpty()) {
      throw error(List.of(key), "at least one template is needed");
    }
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null || values.get(i).isBlank()) {
        throw error(List.of(key, i), "empty template");
      }
    }
  }

  /** Distinct single words (no spaces needed except fmnist classes), min..max of them. */
  private List<String> words(List<String> raw, String key, int min, int max) {
    List<Object> path = new ArrayList<>(Arrays.asList((Object[]) key.split("\\.")));
    if (raw.size() < min || raw.size() > max) {
      throw error(path, "expected " + (min == max ? "exactly " + min : min + " to " + max)
          + " entries, got " + raw.size());
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      List<Object> at = new ArrayList<>(path);
      at.add(i);
      word(raw.get(i), at);
      if (!seen.add(raw.get(i))) {
        throw error(at, "'" + raw.get(i) + "' appears twice");
      }
    }
    return List.copyOf(raw);
  }

  private void word(String w, List<Object> key) {
    if (w == null || w.isBlank() || !w.equals(w.trim()) || w.contains("{") || w.contains("}")) {
      throw error(key, "expected a non-empty word without surrounding spaces or braces, got '"
          + w + "'");
    }
  }

  private int intIn(Integer value, int dflt, int min, int max, String key) {
    int v = value == null ? dflt : value;
    if (v < min || v > max) {
      throw error(path(key), "must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  private double doubleIn(Double value, double dflt, double min, double max, String key) {
    double v = value == null ? dflt : value;
    if (!(v >= min && v <= max)) {
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

  private void forbid(Object value, String key, String why) {
    if (value != null) {
      throw error(path(key), "not used by this task: " + why);
    }
  }

  private static List<Object> path(String dotted) {
    return List.of((Object[]) dotted.split("\\."));
  }

  private TaskSpecException error(List<Object> key, String problem) {
    return new TaskSpecException(
        source, YamlLocator.dotted(key), YamlLocator.line(yaml, key), problem, null);
  }

  private static List<String> allShapes() {
    return Arrays.stream(ShapeKind.values()).map(ShapeKind::word).toList();
  }

  private static List<String> allMotions() {
    return Arrays.stream(Motion.values()).map(Motion::word).toList();
  }

  private static <V> Map<String, V> orderedMap(String k1, V v1, String k2, V v2) {
    Map<String, V> out = new LinkedHashMap<>();
    out.put(k1, v1);
    if (k2 != null) {
      out.put(k2, v2);
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static Map<String, Rgb> defaultColours() {
    // Well-separated hues that stay distinct at 32 px on black.
    Map<String, Rgb> out = new LinkedHashMap<>();
    out.put("red", new Rgb(230, 30, 40));
    out.put("green", new Rgb(40, 190, 60));
    out.put("blue", new Rgb(40, 90, 240));
    out.put("yellow", new Rgb(250, 225, 30));
    out.put("purple", new Rgb(150, 50, 200));
    out.put("orange", new Rgb(250, 140, 30));
    out.put("cyan", new Rgb(60, 230, 230));
    out.put("white", new Rgb(245, 245, 245));
    return java.util.Collections.unmodifiableMap(out);
  }
}
