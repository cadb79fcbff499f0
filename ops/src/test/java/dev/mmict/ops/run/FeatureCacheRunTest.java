package dev.mmict.ops.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache.dir} and {@code cache.enabled} through the real train command on the shipped backbone. */
class FeatureCacheRunTest {
  @TempDir
  Path dir;

  private static String backbone() {
    Path p = Path.of("..", "models", "backbone-tiny");
    return (Files.isDirectory(p) ? p : Path.of("models", "backbone-tiny")).toString();
  }

  private int train(String out, String... sets) {
    return train(0, out, sets);
  }

  private int train(int workers, String out, String... sets) {
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(new StringWriter(), true);
    List<String> args = new java.util.ArrayList<>(List.of("train", "--workers", Integer.toString(workers),
        "--out", dir.resolve(out).toString(),
        "--set", "model.backbone=" + backbone(), "--set", "data.task=shapes-caption", "--set", "trainer.steps=2",
        "--set", "trainer.warmupSteps=1", "--set", "trainer.batchSize=2", "--set", "eval.samples=4",
        "--set", "eval.batchSize=4", "--set", "eval.maxNewTokens=3", "--set", "checkpoint.validationSamples=4"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    int code = Main.run(args.toArray(String[]::new), o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString());
    return code;
  }

  private static JsonNode manifest(Path cache) throws Exception {
    try (Stream<Path> dirs = Files.list(cache)) {
      List<Path> all = dirs.toList();
      assertEquals(1, all.size(), "one encoder, one directory: " + all);
      assertTrue(all.get(0).getFileName().toString().startsWith("vit-"));
      return new ObjectMapper().readTree(all.get(0).resolve("manifest.json").toFile());
    }
  }

  @Test
  void aSecondRunIsServedFromTheCacheTheFirstFilled() throws Exception {
    Path cache = dir.resolve("features");
    train("first", "cache.dir=" + cache);
    JsonNode first = manifest(cache);
    long records = first.get("records").asLong();
    // 2 steps x 2 dialogs x 3 pictures in training, 4 queries with 2 demonstrations each in evaluation
    // and as many in the validation loss of the one checkpoint (after the last step).
    assertTrue(records > 0 && records <= 12 + 12 + 12, "records " + records);
    assertEquals("float16", first.get("dtype").asText());
    assertEquals(List.of(17, 64), List.of(first.get("feature_shape").get(0).asInt(),
        first.get("feature_shape").get(1).asInt()));

    train("second", "cache.dir=" + cache);
    assertEquals(records, manifest(cache).get("records").asLong(), "the same run writes nothing new");
  }

  /**
   * On the cluster path (the default of {@code train}) the workers encode the training visuals, so
   * they must use {@code cache.dir} too: a second identical run's worker is served every visual.
   */
  @Test
  void clusterWorkersFillAndReadTheCacheDirectory() throws Exception {
    Path cache = dir.resolve("cluster-features");
    train(1, "cluster-first", "cache.dir=" + cache);
    long afterFirst = manifest(cache).get("records").asLong();
    train(1, "cluster-second", "cache.dir=" + cache);
    assertEquals(afterFirst, manifest(cache).get("records").asLong(), "the same run writes nothing new");
    String first = Files.readString(dir.resolve("cluster-first/workers/worker-1.log"));
    String second = Files.readString(dir.resolve("cluster-second/workers/worker-1.log"));
    // 2 steps x 2 dialogs x 3 pictures, each encoded once by the first worker and served to the second.
    assertTrue(first.contains("the vision encoder ran on 12 visuals, the feature cache served 0"), first);
    assertTrue(second.contains("the vision encoder ran on 0 visuals, the feature cache served 12"), second);
  }

  @Test
  void aDisabledCacheWritesNothing() {
    Path cache = dir.resolve("no-features");
    train("off", "cache.dir=" + cache, "cache.enabled=false");
    assertFalse(Files.exists(cache));
  }
}
