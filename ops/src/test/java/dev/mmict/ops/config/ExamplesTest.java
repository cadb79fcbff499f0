package dev.mmict.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.Main;
import dev.mmict.ops.cli.Operations;
import dev.mmict.ops.cli.RunRequest;
import dev.mmict.storage.dataset.real.RealDatasets;
import dev.mmict.storage.dataset.task.Tasks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every example configuration in {@code examples/} loads through the real loader and passes
 * {@code --dry-run}, and the task it names exists (a built-in) or its task file parses; so the
 * examples cannot rot as keys change.
 */
class ExamplesTest {
  private static final Path ROOT = root();

  private static Path root() {
    Path r = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "..")).toAbsolutePath().normalize();
    return Files.isDirectory(r.resolve("examples")) ? r : Path.of("..").toAbsolutePath().normalize();
  }

  private static List<Path> yamls(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** Fails if a command would do any work: dry-run must not. */
  private static final class NoWork implements Operations {
    @Override
    public void demo(RunRequest request, dev.mmict.ops.cli.ClusterRequest cluster) {
      throw new AssertionError("dry-run ran demo");
    }

    @Override
    public void pretrain(RunRequest request) {
      throw new AssertionError("dry-run ran pretrain");
    }

    @Override
    public void train(RunRequest request) {
      throw new AssertionError("dry-run ran train");
    }

    @Override
    public void eval(RunRequest request) {
      throw new AssertionError("dry-run ran eval");
    }
  }

  @Test
  void everyExampleConfigLoadsAndItsTaskResolves() throws Exception {
    List<Path> examples = yamls(ROOT.resolve("examples")).stream().filter(p -> !isSweep(p)).toList();
    List<String> names = examples.stream().map(p -> p.getFileName().toString()).toList();
    for (String required : List.of("shapes-caption.yaml", "shapes-vqa.yaml", "shapes-video-caption.yaml",
        "shapes-fastbinding.yaml", "fmnist-caption.yaml", "coco-caption.yaml", "vqav2.yaml", "msvd-caption.yaml")) {
      assertTrue(names.contains(required), "examples/" + required + " missing: " + names);
    }
    ConfigLoader loader = new ConfigLoader();
    for (Path example : examples) {
      RunConfig config = loader.load(RunConfig.class, example, List.of());
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.run(new String[] {"train", "--config", example.toString(), "--dry-run"},
          new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), new NoWork());
      assertEquals(ExitCodes.OK, code, example + ": " + err);
      assertEquals(loader.toYaml(config), out.toString(), example.toString());
      String task = config.data().task();
      if (task.endsWith(".yaml")) {
        Path file = ROOT.resolve(task); // the launcher runs from the repository root
        assertTrue(Files.isRegularFile(file), example + ": data.task " + task + " does not exist");
        if (RealDatasets.isRealTaskFile(file)) {
          assertFalse(RealDatasets.load(file).name().isBlank());
        } else {
          Tasks.loadFile(file);
        }
      } else {
        assertTrue(Tasks.BUILT_IN.contains(task), example + ": unknown built-in task " + task);
      }
    }
  }

  private static boolean isSweep(Path file) {
    return file.getFileName().toString().startsWith("sweep-");
  }

  @Test
  void everyExampleSweepPassesItsChecks() throws Exception {
    List<Path> sweeps = yamls(ROOT.resolve("examples")).stream().filter(ExamplesTest::isSweep).toList();
    assertFalse(sweeps.isEmpty(), "no examples/sweep-*.yaml");
    for (Path sweep : sweeps) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.run(new String[] {"sweep", "--config", sweep.toString(), "--dry-run"},
          new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), new NoWork());
      assertEquals(ExitCodes.OK, code, sweep + ": " + err);
      assertTrue(out.toString().contains("trial-000"), sweep + ": no trial table in " + out);
    }
  }

  @Test
  void everyExampleTaskFileParses() throws Exception {
    List<Path> tasks = yamls(ROOT.resolve("examples").resolve("tasks"));
    assertEquals(3, tasks.size(), tasks.toString());
    for (Path t : tasks) {
      assertTrue(RealDatasets.isRealTaskFile(t), t + " is not a real-dataset task file");
      assertEquals(32, RealDatasets.load(t).options().imageSize(), t + ": image_size must fit the shipped backbone");
    }
  }
}
