package dev.mmict.worker.cluster;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainable parameters a worker's replica holds when its run completed, written as
 * safetensors (Hugging Face / BLIP-2 names) for the process that started the run: it evaluates and
 * saves the tuned model. The metadata carries the parameters' sha256 as the coordinator verified
 * it at every step, so the reader can check it loaded exactly the run's result.
 */
public final class FinalState {

  /** Metadata key: the replica checksum (hex sha256, see {@link ParameterVector#sha256()}). */
  public static final String SHA256_KEY = "mmict.params_sha256";

  /** Metadata key: the number of steps the run committed. */
  public static final String STEPS_KEY = "mmict.steps";

  private FinalState() { }

  /** Writes {@code replica}'s parameters after the last of {@code steps} steps to {@code file}, atomically. */
  public static void write(Replica replica, long steps, Path file) throws IOException {
    ReplicaState state = replica.exportState(steps - 1);
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (ReplicaState.Tensor t : state.parameters()) {
        tensors.put(t.name(), m.create(t.values(), new Shape(t.shape()))); // [shape of the parameter]
      }
      Safetensors.write(file, tensors, Map.of(SHA256_KEY, HexFormat.of().formatHex(replica.parameterSha256()),
          STEPS_KEY, Long.toString(steps)));
    }
  }
}
