package dev.mmict.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import dev.mmict.ops.ExitCodes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAndCheckpointsCommandTest {
  @TempDir
  Path dir;

  private Result run(String... args) {
    return Cli.run(args);
  }

  private Path tinyTask() throws Exception {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/dev/mmict/storage/tasks/shapes-caption.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    yaml = yaml.replaceAll("(?m)^  train: \\d+", "  train: 12").replaceAll("(?m)^  val: \\d+", "  val: 4")
        .replaceAll("(?m)^  test: \\d+", "  test: 4");
    Path task = dir.resolve("tiny-caption.yaml");
    Files.writeString(task, yaml);
    return task;
  }

  @Test
  void packThenInspectWithVerificationAndDetectCorruption() throws Exception {
    Path packed = dir.resolve("packed");
    Result pack = run("data", "pack", "--dataset", tinyTask().toString(), "--out", packed.toString());
    assertEquals(ExitCodes.OK, pack.code(), pack.err());
    assertTrue(pack.out().contains("packed tiny-caption"), pack.out());

    Result inspect = run("data", "inspect", packed.toString(), "--verify");
    assertEquals(ExitCodes.OK, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("train") && inspect.out().contains("12"), inspect.out());

    Path shard;
    try (Stream<Path> s = Files.list(packed)) {
      shard = s.filter(p -> p.getFileName().toString().startsWith("train-")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(shard);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(shard, bytes);
    Result broken = run("data", "inspect", packed.toString(), "--verify");
    assertEquals(ExitCodes.DATA_ERROR, broken.code());
    assertTrue(broken.err().contains(shard.getFileName().toString()), broken.err());

    Result again = run("data", "pack", "--dataset", tinyTask().toString(), "--out", packed.toString());
    assertEquals(ExitCodes.DATA_ERROR, again.code(), "an existing pack is not overwritten silently");
  }

  @Test
  void inspectABuiltInDatasetAndRejectAnUnknownOne() {
    Result ok = run("data", "inspect", "shapes-vqa", "--samples", "1");
    assertEquals(ExitCodes.OK, ok.code(), ok.err());
    assertTrue(ok.out().contains("shapes-vqa"), ok.out());
    Result bad = run("data", "inspect", "no-such-dataset");
    assertEquals(ExitCodes.DATA_ERROR, bad.code());
    assertTrue(bad.err().contains("no-such-dataset"), bad.err());
  }

  @Test
  void checkpointVerifyOfAMissingCheckpointIsADataError() throws Exception {
    Path root = Files.createDirectories(dir.resolve("ckpt"));
    Result verify = run("checkpoints", "verify", root.resolve("step-00000001").toString());
    assertEquals(ExitCodes.DATA_ERROR, verify.code(), verify.out() + verify.err());
  }
}
