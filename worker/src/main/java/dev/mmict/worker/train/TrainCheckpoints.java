package dev.mmict.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.hub.io.SafetensorsFile;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.optim.AdamW;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointFileWriter;
import dev.mmict.storage.checkpoint.CheckpointState;
import dev.mmict.storage.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Training checkpoints of a {@link TrainLoop} run: writes the trainable parameters
 * ({@value #PARAMETERS}, LAVIS / Hugging Face names), the AdamW moments and step count
 * ({@value #OPTIMIZER}) and the loop state through a {@link CheckpointStore}, and restores all
 * three so that the run continues bit for bit.
 */
public final class TrainCheckpoints {
  /** Trainable parameters, float32, under the model's parameter names. */
  public static final String PARAMETERS = "model.safetensors";
  /** AdamW moments ({@code <param>.exp_avg}, {@code <param>.exp_avg_sq}), float32. */
  public static final String OPTIMIZER = "optimizer.safetensors";
  /** Metadata key of {@value #OPTIMIZER} holding AdamW's update count. */
  public static final String OPTIMIZER_STEP = "mmict.optimizer.step";

  private TrainCheckpoints() { }

  /**
   * The model fingerprint a checkpoint is bound to: sha256 over the model configuration, every
   * parameter's name, shape and trainable flag, and the values of the frozen parameters (the
   * backbone the checkpoint's trainable parameters were trained against). Call it after
   * {@code setTrainable}; trainable values do not enter it, so it stays fixed during training.
   */
  public static String fingerprint(MmictModel model) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(model.config().toString().getBytes(StandardCharsets.UTF_8));
      for (Params.Param p : model.params().all().values()) {
        md.update((p.name() + "|" + p.value().getShape() + "|" + p.trainable() + "\n")
            .getBytes(StandardCharsets.UTF_8));
        if (!p.trainable()) {
          Params.digestValues(md, p.value());
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The manifest content for a checkpoint after {@code loop}: the loop state as data cursor, the
   * sources' demonstration settings as sampler state, the seeds as RNG state.
   */
  public static CheckpointState state(LoopState loop, List<TaskMix> sources, long seed, String config,
      String fingerprint) {
    return state(loop, sources, seed, config, fingerprint, Map.of());
  }

  /** As above, with named metrics (e.g. {@value ValidationLoss#METRIC}) for the manifest. */
  public static CheckpointState state(LoopState loop, List<TaskMix> sources, long seed, String config,
      String fingerprint, Map<String, Double> metrics) {
    return new CheckpointState(loop.nextStep(), loop.epoch(), loop.toJson(), samplerState(sources),
        rngStates(sources, seed), config, fingerprint, metrics);
  }

  /**
   * The demonstration sampler has no mutable state: its draws are functions of the seed, the
   * epoch and the position. What is saved is what those functions are given besides the cursor.
   */
  static ObjectNode samplerState(List<TaskMix> sources) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode list = root.putArray("sources");
    for (TaskMix mix : sources) {
      ObjectNode o = list.addObject();
      o.put("dataset", mix.dataset().name());
      o.put("weight", mix.weight());
      o.put("shots", mix.shots());
      o.put("strategy", mix.strategy().name());
      ArrayNode modes = o.putArray("modes");
      mix.modes().forEach(m -> modes.add(m.label()));
    }
    return root;
  }

  /** No generator carries state across steps; every draw derives from these seeds. */
  static ObjectNode rngStates(List<TaskMix> sources, long seed) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("kind", "counter-based: every draw derives from (seed, epoch, position)");
    root.put("seed", seed);
    ArrayNode seeds = root.putArray("source_seeds");
    for (int i = 0; i < sources.size(); i++) {
      seeds.add(seed + 7919L * i);
    }
    return root;
  }

  /** Writes one checkpoint of the model's trainable parameters and the optimizer now. */
  public static Checkpoint write(CheckpointStore store, MmictModel model, AdamW optimizer, CheckpointState state)
      throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("mmict.step", Long.toString(state.step()));
    Map<String, String> optMeta = new LinkedHashMap<>(meta);
    optMeta.put(OPTIMIZER_STEP, Long.toString(optimizer.step()));
    Map<String, CheckpointFileWriter> files = new LinkedHashMap<>();
    files.put(PARAMETERS, target -> {
      try (NDManager tmp = NDManager.newBaseManager()) {
        Safetensors.write(target, model.params().snapshot(tmp, Params.Param::trainable), meta);
      }
    });
    files.put(OPTIMIZER, target -> Safetensors.write(target, optimizer.state(), optMeta));
    return store.write(state, files);
  }

  /**
   * Loads checkpoint {@code cp} into {@code model}'s trainable parameters and returns where the
   * loop resumes (optimizer tensors are created in {@code manager}; close it after the run).
   * The checkpoint must come from a run of the same sources and seed.
   *
   * @throws CheckpointException naming the file or manifest key that does not fit
   */
  public static TrainLoop.Resume restore(Checkpoint cp, MmictModel model, NDManager manager, List<TaskMix> sources,
      long seed) throws IOException {
    var m = cp.manifest();
    requireSame(cp, "sampler_state", samplerState(sources), m.samplerState());
    requireSame(cp, "rng_states", rngStates(sources, seed), m.rngStates());
    LoopState loop;
    try {
      loop = LoopState.fromJson(m.dataCursor());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(cp.dir(), "manifest.json", e.getMessage(), e);
    }
    if (loop.nextStep() != m.step()) {
      throw new CheckpointException(cp.dir(), "manifest.json", "data_cursor.next_step " + loop.nextStep()
          + " differs from step " + m.step());
    }
    loadParameters(cp, model);
    SafetensorsFile opt = Safetensors.read(cp.file(OPTIMIZER));
    String stepText = opt.metadata().get(OPTIMIZER_STEP);
    long optimizerStep;
    try {
      optimizerStep = Long.parseLong(stepText);
    } catch (NumberFormatException e) {
      throw new CheckpointException(cp.dir(), OPTIMIZER, "metadata " + OPTIMIZER_STEP + " is not a step count: "
          + stepText, e);
    }
    Set<String> expected = new TreeSet<>();
    for (Params.Param p : model.params().trainable()) {
      expected.add(p.name() + ".exp_avg");
      expected.add(p.name() + ".exp_avg_sq");
    }
    Set<String> present = new TreeSet<>(opt.names());
    // Before the first update the optimizer has no moments at all; otherwise every one is needed.
    if (!(present.isEmpty() && optimizerStep == 0) && !present.equals(expected)) {
      throw new CheckpointException(cp.dir(), OPTIMIZER, "moments do not match the trainable parameters: "
          + difference(expected, present));
    }
    Map<String, NDArray> moments = opt.loadAll(manager, n -> true);
    for (Map.Entry<String, NDArray> e : moments.entrySet()) {
      String param = e.getKey().substring(0, e.getKey().lastIndexOf(".exp_avg"));
      if (!e.getValue().getShape().equals(model.params().get(param).getShape())) {
        throw new CheckpointException(cp.dir(), OPTIMIZER, "tensor '" + e.getKey() + "' has shape "
            + e.getValue().getShape() + ", parameter " + param + " has " + model.params().get(param).getShape());
      }
    }
    return new TrainLoop.Resume(loop, moments, optimizerStep);
  }

  /** Copies the checkpoint's tensors into the trainable parameters; each one must be there. */
  private static void loadParameters(Checkpoint cp, MmictModel model) throws IOException {
    SafetensorsFile file = Safetensors.read(cp.file(PARAMETERS));
    Set<String> expected = new TreeSet<>();
    model.params().trainable().forEach(p -> expected.add(p.name()));
    Set<String> present = new TreeSet<>(file.names());
    if (!present.equals(expected)) {
      throw new CheckpointException(cp.dir(), PARAMETERS, "tensors do not match the trainable parameters: "
          + difference(expected, present));
    }
    try (NDManager tmp = NDManager.newBaseManager()) {
      Map<String, NDArray> values = file.loadAll(tmp, n -> true);
      try {
        model.params().load(values, false, cp.file(PARAMETERS).toString());
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(cp.dir(), PARAMETERS, e.getMessage(), e);
      }
    }
  }

  private static String difference(Set<String> expected, Set<String> present) {
    List<String> parts = new ArrayList<>();
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(present);
    Set<String> extra = new TreeSet<>(present);
    extra.removeAll(expected);
    if (!missing.isEmpty()) {
      parts.add("missing " + missing);
    }
    if (!extra.isEmpty()) {
      parts.add("unexpected " + extra);
    }
    return String.join(", ", parts);
  }

  private static void requireSame(Checkpoint cp, String key, JsonNode now, JsonNode saved) throws CheckpointException {
    // Compared as JSON text: a manifest read back holds small longs as int nodes.
    if (!now.toString().equals(saved.toString())) {
      throw new CheckpointException(cp.dir(), "manifest.json", key + " is " + saved + " in the checkpoint but "
          + now + " for this run");
    }
  }
}
