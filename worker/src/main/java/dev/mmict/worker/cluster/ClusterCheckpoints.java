package dev.mmict.worker.cluster;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.hub.io.SafetensorsFile;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointFileWriter;
import dev.mmict.storage.checkpoint.CheckpointState;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.Manifest;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.worker.train.TrainCheckpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checkpoints of a cluster run, in the single-process layout ({@link TrainCheckpoints#PARAMETERS}
 * with the Hugging Face names, {@link TrainCheckpoints#OPTIMIZER} with the AdamW moments and update
 * count, {@code manifest.json} through a {@link CheckpointStore}): written by the worker the
 * coordinator asks, read back by every worker of a resumed run and by the resuming coordinator.
 *
 * <p>The manifest's {@code data_cursor} is the cluster's own: {@code {"kind": "cluster",
 * "next_step", "epoch", "position", "plan": {seed, global_batch_size, micro_batch_size, shots,
 * strategy}, "params_sha256"}}. Its {@code kind} is the marker that tells a cluster checkpoint from
 * a single-process one (whose cursor is the loop state), so each trainer refuses the other's.
 */
public final class ClusterCheckpoints {

  /** {@code data_cursor.kind} of a cluster checkpoint. */
  public static final String KIND = "cluster";

  /**
   * What a worker process adds to every checkpoint it writes.
   *
   * @param config the resolved run configuration (YAML)
   * @param modelFingerprint the run's model fingerprint ({@link ModelFingerprint})
   */
  public record Metadata(String config, String modelFingerprint) { }

  /**
   * The coordinator's position recorded in a cluster checkpoint.
   *
   * @param nextStep the step the resumed run plans first (= steps done)
   * @param epoch that step's epoch
   * @param position where that step's first query sits in the epoch's order
   * @param seed the run plan's seed
   * @param globalBatchSize B
   * @param microBatchSize m
   * @param shots K
   * @param strategy the demonstration strategy's name
   * @param parametersSha256 hex sha256 of the trainable parameters, as the coordinator verified it
   */
  public record Cursor(long nextStep, long epoch, int position, long seed, int globalBatchSize, int microBatchSize,
      int shots, String strategy, String parametersSha256) { }

  private ClusterCheckpoints() { }

  /** True when {@code manifest} belongs to a checkpoint a cluster run wrote. */
  public static boolean isCluster(Manifest manifest) {
    return KIND.equals(manifest.dataCursor().path("kind").asText(""));
  }

  /** The manifest content for {@code request}, written with {@code meta}. */
  static CheckpointState state(CheckpointRequest request, Metadata meta) {
    var plan = request.getPlan();
    ObjectNode cursor = JsonNodeFactory.instance.objectNode();
    cursor.put("kind", KIND);
    cursor.put("next_step", request.getStepsDone());
    cursor.put("epoch", request.getEpoch());
    cursor.put("position", request.getPositionInEpoch());
    ObjectNode shape = cursor.putObject("plan");
    shape.put("seed", plan.getSeed());
    shape.put("global_batch_size", plan.getGlobalBatchSize());
    shape.put("micro_batch_size", plan.getMicroBatchSize());
    shape.put("shots", plan.getShots());
    shape.put("strategy", plan.getStrategy());
    cursor.put("params_sha256", HexFormat.of().formatHex(request.getParameterSha256().toByteArray()));
    ObjectNode sampler = JsonNodeFactory.instance.objectNode();
    sampler.put("kind", KIND);
    sampler.put("shots", plan.getShots());
    sampler.put("strategy", plan.getStrategy());
    ObjectNode rng = JsonNodeFactory.instance.objectNode();
    rng.put("kind", "counter-based: every draw derives from (seed, epoch, step)");
    rng.put("seed", plan.getSeed());
    return new CheckpointState(request.getStepsDone(), request.getEpoch(), cursor, sampler, rng, meta.config(),
        meta.modelFingerprint(), Map.of());
  }

  /**
   * Writes {@code state} (the replica's state after step {@code request.steps_done - 1}) as the
   * checkpoint {@code request} asks for, into its directory, keeping the newest {@code keep}.
   *
   * @throws IOException naming the checkpoint and file when writing fails (nothing new is visible)
   */
  public static Checkpoint write(ReplicaState state, CheckpointRequest request, Metadata meta) throws IOException {
    if (state.afterStep() != request.getStepsDone() - 1) {
      throw new IllegalArgumentException("checkpoint " + request.getCheckpointId() + " needs the state after step "
          + (request.getStepsDone() - 1) + ", got the one after step " + state.afterStep());
    }
    Map<String, String> meta1 = new LinkedHashMap<>();
    meta1.put("format", "pt");
    meta1.put("mmict.step", Long.toString(request.getStepsDone()));
    meta1.put("mmict.trainer", KIND);
    Map<String, String> optMeta = new LinkedHashMap<>(meta1);
    optMeta.put(TrainCheckpoints.OPTIMIZER_STEP, Long.toString(state.optimizerStep()));
    Map<String, CheckpointFileWriter> files = new LinkedHashMap<>();
    files.put(TrainCheckpoints.PARAMETERS, target -> writeTensors(target, state.parameters(), meta1));
    files.put(TrainCheckpoints.OPTIMIZER, target -> writeTensors(target, state.optimizer(), optMeta));
    CheckpointStore store = new CheckpointStore(Path.of(request.getDirectory()),
        RetentionPolicy.lastN(Math.max(1, request.getKeep())));
    return store.write(state(request, meta), files);
  }

  private static void writeTensors(Path target, List<ReplicaState.Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (ReplicaState.Tensor t : tensors) {
        out.put(t.name(), m.create(t.values(), new Shape(t.shape()))); // [shape of the tensor]
      }
      Safetensors.write(target, out, metadata);
    }
  }

  /**
   * The coordinator's position recorded in cluster checkpoint {@code cp}.
   *
   * @throws CheckpointException when {@code cp} is not a cluster checkpoint or its cursor is malformed
   */
  public static Cursor cursor(Checkpoint cp) throws CheckpointException {
    Manifest m = cp.manifest();
    if (!isCluster(m)) {
      throw new CheckpointException(cp.dir(), "manifest.json", "it was written by the single-process trainer"
          + " (mmict train --workers 0), not by a cluster run; resume it with --workers 0");
    }
    JsonNode c = m.dataCursor();
    JsonNode plan = c.path("plan");
    for (String key : List.of("next_step", "epoch", "position", "params_sha256")) {
      if (c.path(key).isMissingNode()) {
        throw new CheckpointException(cp.dir(), "manifest.json", "data_cursor." + key + " is missing");
      }
    }
    for (String key : List.of("seed", "global_batch_size", "micro_batch_size", "shots", "strategy")) {
      if (plan.path(key).isMissingNode()) {
        throw new CheckpointException(cp.dir(), "manifest.json", "data_cursor.plan." + key + " is missing");
      }
    }
    Cursor cursor = new Cursor(c.get("next_step").asLong(), c.get("epoch").asLong(), c.get("position").asInt(),
        plan.get("seed").asLong(), plan.get("global_batch_size").asInt(), plan.get("micro_batch_size").asInt(),
        plan.get("shots").asInt(), plan.get("strategy").asText(), c.get("params_sha256").asText());
    if (cursor.nextStep() != m.step()) {
      throw new CheckpointException(cp.dir(), "manifest.json", "data_cursor.next_step " + cursor.nextStep()
          + " differs from step " + m.step());
    }
    return cursor;
  }

  /**
   * Reads cluster checkpoint {@code cp} as the state of a replica whose trainable parameters are
   * {@code parameterNames} (in its order): the state after step {@code cp.step() - 1}.
   *
   * @throws CheckpointException naming the file when a tensor is missing, unexpected or unreadable
   */
  public static ReplicaState load(Checkpoint cp, List<String> parameterNames) throws IOException {
    cursor(cp);
    SafetensorsFile params = Safetensors.read(cp.file(TrainCheckpoints.PARAMETERS));
    Set<String> expected = new TreeSet<>(parameterNames);
    if (!new TreeSet<>(params.names()).equals(expected)) {
      throw new CheckpointException(cp.dir(), TrainCheckpoints.PARAMETERS, "holds tensors " + new TreeSet<>(params.names())
          + " but the replica's trainable parameters are " + expected);
    }
    List<ReplicaState.Tensor> parameters = new ArrayList<>();
    for (String name : parameterNames) {
      parameters.add(tensor(params, name));
    }
    SafetensorsFile opt = Safetensors.read(cp.file(TrainCheckpoints.OPTIMIZER));
    String stepText = opt.metadata().get(TrainCheckpoints.OPTIMIZER_STEP);
    long optimizerStep;
    try {
      optimizerStep = Long.parseLong(stepText);
    } catch (NumberFormatException e) {
      throw new CheckpointException(cp.dir(), TrainCheckpoints.OPTIMIZER, "metadata "
          + TrainCheckpoints.OPTIMIZER_STEP + " is not a step count: " + stepText, e);
    }
    List<ReplicaState.Tensor> moments = new ArrayList<>();
    for (String name : opt.names()) {
      String param = name.endsWith(".exp_avg_sq") ? name.substring(0, name.length() - ".exp_avg_sq".length())
          : name.endsWith(".exp_avg") ? name.substring(0, name.length() - ".exp_avg".length()) : null;
      if (param == null || !expected.contains(param)) {
        throw new CheckpointException(cp.dir(), TrainCheckpoints.OPTIMIZER, "tensor '" + name
            + "' is not a moment of a trainable parameter");
      }
      moments.add(tensor(opt, name));
    }
    if (optimizerStep > 0 && moments.size() != 2 * parameterNames.size()) {
      throw new CheckpointException(cp.dir(), TrainCheckpoints.OPTIMIZER, "holds " + moments.size()
          + " moments after " + optimizerStep + " updates; " + 2 * parameterNames.size() + " expected");
    }
    return new ReplicaState(cp.step() - 1, parameters, moments, optimizerStep);
  }

  private static ReplicaState.Tensor tensor(SafetensorsFile file, String name) throws IOException {
    return new ReplicaState.Tensor(name, file.entry(name).shape().getShape(), file.floats(name));
  }
}
