package dev.mmict.storage.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/** Checkpoint states and file contents for the tests. */
final class Fixtures {

  static final String FINGERPRINT = "mmict-tiny/v1/vocab-3f2a";
  static final String MODEL = "model.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  static CheckpointState state(long step, Map<String, Double> metrics) {
    ObjectNode cursor =
        JSON.createObjectNode().put("epoch_position", step * 8).put("split", "train");
    ObjectNode sampler = JSON.createObjectNode().put("seed", 7).put("epoch", 1);
    ObjectNode rng = JSON.createObjectNode();
    rng.putArray("torch").add(1L).add(-2L).add(Long.MAX_VALUE);
    return new CheckpointState(
        step,
        1,
        cursor,
        sampler,
        rng,
        "training:\n  lr: 1.0e-4\n  steps: 500\n",
        FINGERPRINT,
        metrics);
  }

  static CheckpointState state(long step) {
    return state(step, Map.of());
  }

  /** Deterministic content that differs per step and per file. */
  static byte[] content(long step, String name, int size) {
    byte[] b = new byte[size];
    long x = step * 1_000_003L + name.hashCode();
    for (int i = 0; i < size; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      b[i] = (byte) (x >>> 56);
    }
    return b;
  }

  /** Writers for a model and an optimizer file of the given step. */
  static Map<String, CheckpointFileWriter> files(long step) {
    Map<String, CheckpointFileWriter> files = new LinkedHashMap<>();
    files.put(MODEL, target -> Files.write(target, content(step, MODEL, 3000)));
    files.put(OPTIMIZER, target -> Files.write(target, content(step, OPTIMIZER, 5000)));
    return files;
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.getBytes(StandardCharsets.UTF_8));
  }
}
