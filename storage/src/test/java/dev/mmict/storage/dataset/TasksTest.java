package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.TaskSpecException;
import dev.mmict.storage.dataset.task.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TasksTest {

  /** The first five lines of a fast-binding task file; a test appends its names (and seed). */
  private static final String BINDING = """
      kind: fastbinding
      splits: {train: 10, val: 2, test: 2}
      prompts: ["what is this? this is a"]
      demos: ["this is a {name}."]
      ways: {min: 2, max: 3}
      """;

  static final String MINIMAL = """
      kind: caption
      splits: {train: 10, val: 2, test: 2}
      prompts: ["describe:"]
      targets: ["a {colour} {shape}."]
      demos: ["{target}"]
      """;

  private static TaskSpecException fails(String yaml) {
    return assertThrows(TaskSpecException.class, () -> Tasks.parse("t", yaml, "t.yaml"));
  }

  @Test
  void everyBuiltInTaskLoads() {
    for (String name : Tasks.BUILT_IN) {
      TaskSpec spec = Tasks.load(name);
      assertEquals(name, spec.name());
      assertFalse(spec.description().isEmpty(), name);
    }
    TaskSpec binding = Tasks.load("shapes-fastbinding");
    assertEquals(TaskKind.FASTBINDING, binding.kind());
    assertEquals(2, binding.minWays());
    assertEquals(5, binding.maxWays());
    assertEquals(4, Tasks.load("shapes-video-caption").frames());
  }

  @Test
  void minimalTaskGetsDefaults() {
    TaskSpec spec = Tasks.parse("t", MINIMAL, "t.yaml");
    assertEquals(32, spec.imageSize());
    assertEquals(1, spec.frames());
    assertEquals(8, spec.shapes().size());
    assertEquals(8, spec.colours().size());
    assertEquals(List.of("train", "val", "test"), List.copyOf(spec.splitSizes().keySet()));
  }

  @Test
  void unknownKeyIsNamedWithItsLine() {
    TaskSpecException e = fails(MINIMAL + "colour_count: 3\n");
    assertEquals("colour_count", e.key());
    assertEquals(6, e.line());
    assertTrue(e.getMessage().contains("t.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown key 'colour_count'"), e.getMessage());
  }

  @Test
  void nestedUnknownKeyIsNamedWithItsPath() {
    TaskSpecException e = fails(MINIMAL.replace("test: 2}", "tset: 2}"));
    assertEquals("splits.tset", e.key());
    assertEquals(2, e.line());
  }

  @Test
  void wrongTypeIsNamed() {
    TaskSpecException e = fails(MINIMAL + "frames: four\n");
    assertEquals("frames", e.key());
    assertEquals(6, e.line());
    assertTrue(e.getMessage().contains("an integer"), e.getMessage());
    TaskSpecException k = fails(MINIMAL.replace("kind: caption", "kind: story"));
    assertEquals("kind", k.key());
    assertTrue(k.getMessage().contains("fastbinding"), k.getMessage());
  }

  @Test
  void outOfRangeValueIsNamedWithItsLine() {
    TaskSpecException e = fails(MINIMAL + "image_size: 4\n");
    assertEquals("image_size", e.key());
    assertEquals(6, e.line());
    assertTrue(e.getMessage().contains("[8, 512]"), e.getMessage());
  }

  @Test
  void unknownShapeIsNamedWithItsIndex() {
    TaskSpecException e = fails(MINIMAL + "shapes: [circle, blob]\n");
    assertEquals("shapes[1]", e.key());
    assertTrue(e.getMessage().contains("blob"), e.getMessage());
  }

  @Test
  void missingRequiredKeyIsNamed() {
    TaskSpecException e = fails(MINIMAL.replace("targets: [\"a {colour} {shape}.\"]\n", ""));
    assertEquals("targets", e.key());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void placeholderThatTheTaskCannotFillIsRejected() {
    TaskSpecException e = fails(MINIMAL.replace("a {colour} {shape}.", "a {shape} moving {motion}"));
    assertEquals("targets[0]", e.key());
    assertTrue(e.getMessage().contains("frames > 1"), e.getMessage());
  }

  @Test
  void keysOfAnotherKindAreRejected() {
    TaskSpecException e = fails(MINIMAL + "shots: 3\n");
    assertEquals("shots", e.key());
  }

  @Test
  void overlappingNamePoolsAreRejected() {
    String yaml = BINDING + """
        names:
          train: [dax, wug, fep]
          eval: [toma, dax, zup]
        """;
    TaskSpecException e = fails(yaml);
    assertEquals("names.eval", e.key());
    assertEquals(8, e.line());
    assertTrue(e.getMessage().contains("dax"), e.getMessage());
    TaskSpecException small = fails(yaml.replace("[toma, dax, zup]", "[toma, zup]"));
    assertEquals("names.eval", small.key());
  }

  @Test
  void videoObjectsMustFitTheirPath() {
    TaskSpecException e = fails(MINIMAL.replace("a {colour} {shape}.", "a {shape}")
        + "frames: 4\nmotion_step: 0.2\nsizes: {big: [0.5, 0.6]}\n");
    assertEquals("sizes.big", e.key());
  }

  @Test
  void userFileLoadsByPathAndTakesItsName(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("my-task.yaml");
    Files.writeString(file, MINIMAL);
    TaskSpec spec = Tasks.load(file.toString());
    assertEquals("my-task", spec.name());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tasks.load("no-such-task"));
    assertTrue(e.getMessage().contains("shapes-fastbinding"), e.getMessage());
  }

  @Test
  void trainAndEvalNamePoolsOfBuiltInBindingTasksAreDisjoint() {
    for (String name : Tasks.BUILT_IN) {
      TaskSpec spec = Tasks.load(name);
      if (spec.kind() == TaskKind.FASTBINDING) {
        Set<String> overlap = new HashSet<>(spec.trainNames());
        overlap.retainAll(spec.evalNames());
        assertTrue(overlap.isEmpty(), name + ": " + overlap);
      }
    }
  }

  @Test
  void generatedNamesExtendTheTrainPoolDeterministicallyWithPronounceableWords() {
    TaskSpec spec = Tasks.load("shapes-pretrain-binding");
    assertEquals(32 + 4000, spec.trainNames().size());
    assertEquals(spec.trainNames(), Tasks.load("shapes-pretrain-binding").trainNames());
    assertEquals(spec.trainNames().size(), new HashSet<>(spec.trainNames()).size(), "no duplicates");
    for (String n : spec.trainNames().subList(32, spec.trainNames().size())) {
      assertTrue(n.matches("[bdfghjklmnprstvwz][aeiou][bdfghjklmnprstvwz]?([bdfghjklmnprstvwz][aeiou][bdfghjklmnprstvwz]?)?"), n);
      assertTrue(n.length() >= 3 && n.length() <= 6, n);
    }
  }

  @Test
  void richGeneratedNamesHaveClustersAndDoubledLettersButNoListedName() {
    String yaml = BINDING + """
        seed: 5
        names:
          train: [dax, wug, fep]
          eval: [toma, zup, kib]
          generated_train: 2000
          generated_style: rich
        """;
    TaskSpec spec = Tasks.parse("t", yaml, "t.yaml");
    List<String> generated = spec.trainNames().subList(3, spec.trainNames().size());
    assertEquals(2000, generated.size());
    assertEquals(spec.trainNames(), Tasks.parse("t", yaml, "t.yaml").trainNames(), "deterministic in the seed");
    int doubled = 0;
    int clustered = 0;
    for (String n : generated) {
      assertTrue(n.matches("[a-z]{2,9}") && "aeiou".indexOf(n.charAt(0)) < 0, n);
      doubled += n.matches(".*([bdfglmnprstz])\\1.*") ? 1 : 0;
      clustered += n.matches(".*[^aeiou][^aeiou].*") ? 1 : 0;
    }
    // Hand-computed from the draw's probabilities: a doubled consonant closes 1/6 of the names and
    // joins the syllables of 1/4 of the two-syllable ones (about 29 % together); clusters are more.
    assertTrue(doubled > 400 && doubled < 800, doubled + " of 2000 with a doubled consonant");
    assertTrue(clustered > doubled, clustered + " of 2000 with two consonants in a row");
    Set<String> downstream = new HashSet<>();
    for (String name : Tasks.BUILT_IN) {
      TaskSpec task = Tasks.load(name);
      if (task.kind() == TaskKind.FASTBINDING && !name.contains("pretrain")) {
        downstream.addAll(task.trainNames());
        downstream.addAll(task.evalNames());
      }
    }
    assertTrue(downstream.size() > 10, downstream.toString());
    assertTrue(generated.stream().noneMatch(downstream::contains), "never a downstream task's name");
    // The simple style (the default) stays what it was, so existing backbones stay reproducible.
    TaskSpec simple = Tasks.parse("t", yaml.replace("generated_style: rich", "generated_style: simple"), "t.yaml");
    TaskSpec byDefault = Tasks.parse("t", yaml.replace("  generated_style: rich\n", ""), "t.yaml");
    assertEquals(simple.trainNames(), byDefault.trainNames());
    TaskSpecException e = fails(yaml.replace("generated_style: rich", "generated_style: fancy"));
    assertEquals("names.generated_style", e.key());
    assertTrue(e.getMessage().contains("simple or rich"), e.getMessage());
  }

  /** Pretraining must see none of the downstream tasks' names or template text. */
  @Test
  void pretrainingTasksShareNoNamesOrTemplateTextWithDownstreamTasks() {
    Set<String> downNames = new HashSet<>();
    Set<String> downTemplates = new HashSet<>();
    Set<String> preNames = new HashSet<>();
    Set<String> preTemplates = new HashSet<>();
    for (String name : Tasks.BUILT_IN) {
      TaskSpec spec = Tasks.load(name);
      boolean pre = name.contains("pretrain");
      (pre ? preNames : downNames).addAll(spec.trainNames());
      (pre ? preNames : downNames).addAll(spec.evalNames());
      (pre ? preTemplates : downTemplates).addAll(literalTemplates(spec));
    }
    Set<String> names = new HashSet<>(preNames);
    names.retainAll(downNames);
    assertTrue(names.isEmpty(), "shared names " + names);
    Set<String> templates = new HashSet<>(preTemplates);
    templates.retainAll(downTemplates);
    assertTrue(templates.isEmpty(), "shared templates " + templates);
    assertFalse(preNames.isEmpty());
  }

  /** Templates with text of their own (a bare "{target}" carries none). */
  private static List<String> literalTemplates(TaskSpec spec) {
    List<String> all = new ArrayList<>(spec.prompts());
    all.addAll(spec.targets());
    all.addAll(spec.demos());
    spec.questions().forEach(q -> all.add(q.question()));
    all.removeIf(t -> t.replaceAll("\\{[a-z_]+}", "").isBlank());
    return all;
  }
}
