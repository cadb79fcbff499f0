package dev.mmict.ops.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.ops.ExitCodes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mmict train} reading its samples from a packed record directory ({@code data.packed}):
 * the same samples as the task's own source give the same model, a run served from a warm disk
 * feature cache gives the bytes of the run that filled it, and a pack of another dataset or a
 * missing pack is a data error that names the key.
 */
class TrainFromPackTest {
  @TempDir
  static Path shared;

  private static Path backbone;
  private static Path task;
  private static Path pack;

  @TempDir
  Path dir;

  private static Result run(String... args) {
    return Cli.run(args);
  }

  /** shapes-caption's definition with small splits, as a task YAML of its own. */
  private static Path smallCaptionTask(Path where) throws Exception {
    String yaml;
    try (InputStream in = TrainFromPackTest.class.getResourceAsStream(
        "/dev/mmict/storage/tasks/shapes-caption.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    yaml = yaml.replaceFirst("train: \\d+", "train: 24").replaceFirst("val: \\d+", "val: 4")
        .replaceFirst("test: \\d+", "test: 4");
    Path file = where.resolve("small-caption.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @BeforeAll
  static void prepare() throws Exception {
    backbone = TinyBackbone.save(shared.resolve("backbone"), 5);
    task = smallCaptionTask(shared);
    pack = shared.resolve("pack");
    Result packed = run("data", "pack", "--dataset", task.toString(), "--out", pack.toString(), "--float32");
    assertEquals(ExitCodes.OK, packed.code(), packed.err());
  }

  private Result train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--workers", "0", "--out", out.toString(),
        "--report", out.resolve("report.json").toString(),
        "--set", "model.backbone=" + backbone, "--set", "model.maxTextTokens=16",
        "--set", "data.task=" + task, "--set", "trainer.steps=3", "--set", "trainer.warmupSteps=1",
        "--set", "trainer.batchSize=2", "--set", "eval.samples=2", "--set", "eval.batchSize=2",
        "--set", "eval.maxNewTokens=2", "--set", "checkpoint.every=0"));
    args.addAll(List.of(extra));
    return Cli.run(args);
  }

  @Test
  void trainingFromThePackGivesTheModelOfTrainingFromTheSource() throws Exception {
    Result direct = train(dir.resolve("direct"));
    assertEquals(ExitCodes.OK, direct.code(), direct.err());
    Result fromPack = train(dir.resolve("packed"), "--set", "data.packed=" + pack);
    assertEquals(ExitCodes.OK, fromPack.code(), fromPack.err());
    assertArrayEquals(Files.readAllBytes(dir.resolve("direct/model").resolve(ModelStore.WEIGHTS)),
        Files.readAllBytes(dir.resolve("packed/model").resolve(ModelStore.WEIGHTS)),
        "float32 records hold exactly the source's samples, so both runs train the same model");
  }

  private static long bytesUnder(Path root) throws Exception {
    try (var files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".lock"))
          .mapToLong(f -> f.toFile().length()).sum();
    }
  }

  @Test
  void trainingFromThePackFillsAndThenReadsTheOnDiskFeatureCache() throws Exception {
    Path cache = dir.resolve("features");
    Result first = train(dir.resolve("cached-1"), "--set", "data.packed=" + pack, "--set", "cache.dir=" + cache);
    assertEquals(ExitCodes.OK, first.code(), first.err());
    long filled = bytesUnder(cache);
    assertTrue(filled > 0, "the frozen encoder's outputs were written to " + cache);
    Result second = train(dir.resolve("cached-2"), "--set", "data.packed=" + pack, "--set", "cache.dir=" + cache);
    assertEquals(ExitCodes.OK, second.code(), second.err());
    assertEquals(filled, bytesUnder(cache), "the second run is served from the cache and adds nothing to it");
    assertArrayEquals(Files.readAllBytes(dir.resolve("cached-1/model").resolve(ModelStore.WEIGHTS)),
        Files.readAllBytes(dir.resolve("cached-2/model").resolve(ModelStore.WEIGHTS)),
        "the run that filled the cache and the run served from it train the same model (this failed now and"
            + " then before gradients stopped reading freed memory, 94a970c)");
  }

  @Test
  void aPackOfAnotherDatasetIsADataErrorNamingTheKey() {
    Result r = train(dir.resolve("other"), "--set", "data.task=shapes-vqa", "--set", "data.packed=" + pack);
    assertEquals(ExitCodes.DATA_ERROR, r.code(), r.out());
    assertTrue(r.err().contains("data.packed") && r.err().contains("small-caption"), r.err());
  }

  @Test
  void aMissingPackIsADataErrorNamingTheDirectory() {
    Path missing = dir.resolve("no-such-pack");
    Result r = train(dir.resolve("missing"), "--set", "data.packed=" + missing);
    assertEquals(ExitCodes.DATA_ERROR, r.code(), r.out());
    assertTrue(r.err().contains("data.packed") && r.err().contains(missing.toString()), r.err());
  }
}
