package dev.mmict.coordinator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmict.storage.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link SweepState} as one JSON file ({@value #FILE_NAME}) in a directory of the
 * checkpoint store, replaced atomically on every save (temporary file, fsync, rename, directory
 * fsync), so a crash leaves either the previous state or the new one.
 *
 * <p>Format (version 1): {@code {"format":1, "fingerprint":..., "trials":[{"id", "index",
 * "params":{key: value}, "status", "steps", "rungMetrics":{"<rung>": metric}, "lastMetric",
 * "workerSeconds", "checkpoint", "failure"}]}}. Integer parameter values are JSON integers and
 * read back as {@link Long}; real ones are written with a fraction or exponent and read back as
 * {@link Double}; a NaN metric is written as the string {@code "NaN"}.
 */
public final class SweepStateStore {

  /** The state file's name inside the sweep directory. */
  public static final String FILE_NAME = "sweep-state.json";

  private static final Logger LOG = LoggerFactory.getLogger(SweepStateStore.class);
  private static final int FORMAT = 1;

  private final Path file;
  private final long term;
  private final String holder;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * A store outside any lease (term 0): it reads any state but refuses to save over one written in
   * a lease term.
   *
   * @param dir the sweep's directory; the state lives in {@code dir/}{@value #FILE_NAME}
   */
  public SweepStateStore(Path dir) {
    this(dir, 0, null);
  }

  /**
   * A store of lease term {@code term}, held by {@code holder}: it saves only over states of a lower
   * term, or of its own term and holder.
   *
   * @param dir the sweep's directory
   * @param term the lease term of this process (>= 1), or 0 outside a lease
   * @param holder the lease holder's name ({@link SweepLease#holder()}); null for term 0
   */
  public SweepStateStore(Path dir, long term, String holder) {
    if (term < 0 || (term > 0) != (holder != null)) {
      throw new IllegalArgumentException("a state store needs term >= 1 with a holder, or term 0 without, got term "
          + term + " holder " + holder);
    }
    this.file = dir.resolve(FILE_NAME);
    this.term = term;
    this.holder = holder;
  }

  /** The lease term this store writes in (0: none). */
  public long term() {
    return term;
  }

  /** The state file. */
  public Path file() {
    return file;
  }

  /**
   * Writes {@code state} atomically, replacing the previous one.
   *
   * @throws StaleTermException when the saved state belongs to a higher term or to another holder
   *     of this term: another sweep process took this sweep over; nothing is written
   */
  public void save(SweepState state) throws IOException {
    checkTerm();
    AtomicFile.write(file, json.writeValueAsBytes(toJson(state)));
  }

  /** Refuses (before anything is written) when the state on disk is of a later term or another holder. */
  private void checkTerm() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException("sweep state " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    long savedTerm = root.path("term").asLong(0);
    String savedHolder = text(root.get("holder"));
    if (savedTerm > term || (savedTerm == term && term > 0 && !holder.equals(savedHolder))) {
      throw new StaleTermException("sweep state " + file + " was written in lease term " + savedTerm + " by "
          + savedHolder + ", and this process " + (term == 0 ? "holds no lease" : "(" + holder + ") holds term "
          + term) + ": another sweep process has taken this sweep over, so this one writes nothing more");
    }
  }

  /** The saved state, or empty if none was saved. */
  public Optional<SweepState> load() throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException("sweep state " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    try {
      return Optional.of(fromJson(root));
    } catch (IllegalArgumentException e) {
      throw new IOException("sweep state " + file + " is malformed: " + e.getMessage(), e);
    }
  }

  /**
   * The state to run from: the saved one after {@link SweepState#afterRestart()} if there is one
   * for the same sweep, else a fresh one for {@code trials}; saved before returning.
   *
   * @throws IllegalStateException if the saved state belongs to another sweep definition
   * @throws StaleTermException if it was written by a later lease term (see {@link #save})
   */
  public SweepState openOrCreate(String fingerprint, List<TrialSpec> trials) throws IOException {
    Optional<SweepState> saved = load();
    SweepState state;
    if (saved.isPresent()) {
      if (!saved.get().fingerprint().equals(fingerprint)) {
        throw new IllegalStateException("sweep state " + file + " belongs to a different sweep definition"
            + " (fingerprint " + saved.get().fingerprint() + ", this sweep " + fingerprint
            + "): rerun with the original config or use a new output directory");
      }
      state = saved.get().afterRestart();
      LOG.info("Resuming sweep from {}: {} finished, {} to run", file,
          state.trials().stream().filter(t -> t.status().isFinal()).count(),
          state.withStatus(TrialStatus.PENDING).size());
    } else {
      state = SweepState.fresh(fingerprint, trials);
    }
    save(state);
    return state;
  }

  private ObjectNode toJson(SweepState state) {
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    root.put("fingerprint", state.fingerprint());
    if (term > 0) {
      root.put("term", term);
      root.put("holder", holder);
    }
    ArrayNode trials = root.putArray("trials");
    for (TrialRecord t : state.trials()) {
      ObjectNode node = trials.addObject();
      node.put("id", t.id());
      node.put("index", t.index());
      ObjectNode params = node.putObject("params");
      t.params().forEach((key, value) -> putValue(params, key, value, t.id()));
      node.put("status", t.status().name());
      node.put("steps", t.steps());
      ObjectNode rungs = node.putObject("rungMetrics");
      t.rungMetrics().forEach((rung, metric) -> rungs.put(Long.toString(rung), metric));
      if (t.lastMetric() == null) {
        node.putNull("lastMetric");
      } else {
        node.put("lastMetric", t.lastMetric());
      }
      node.put("workerSeconds", t.workerSeconds());
      node.put("checkpoint", t.checkpoint());
      node.put("failure", t.failure());
    }
    return root;
  }

  private static void putValue(ObjectNode params, String key, Object value, String trial) {
    if (value instanceof String s) {
      params.put(key, s);
    } else if (value instanceof Long l) {
      params.put(key, l);
    } else if (value instanceof Double d) {
      params.put(key, d);
    } else if (value instanceof Boolean b) {
      params.put(key, b);
    } else {
      throw new IllegalArgumentException("trial " + trial + " parameter " + key + " has unsupported value "
          + value);
    }
  }

  private static SweepState fromJson(JsonNode root) {
    int format = required(root, "format", "").asInt();
    if (format != FORMAT) {
      throw new IllegalArgumentException("format " + format + " is not supported (expected " + FORMAT + ")");
    }
    List<TrialRecord> trials = new ArrayList<>();
    for (JsonNode node : required(root, "trials", "")) {
      String id = required(node, "id", "trial").asText();
      Map<String, Object> params = new LinkedHashMap<>();
      required(node, "params", id).properties().forEach(e -> params.put(e.getKey(), value(e.getValue(), id)));
      TreeMap<Long, Double> rungs = new TreeMap<>();
      required(node, "rungMetrics", id).properties()
          .forEach(e -> rungs.put(Long.parseLong(e.getKey()), number(e.getValue())));
      JsonNode last = node.get("lastMetric");
      trials.add(new TrialRecord(id, required(node, "index", id).asInt(), params,
          TrialStatus.valueOf(required(node, "status", id).asText()), required(node, "steps", id).asLong(),
          rungs, last == null || last.isNull() ? null : number(last),
          required(node, "workerSeconds", id).asDouble(), text(node.get("checkpoint")),
          text(node.get("failure"))));
    }
    return new SweepState(required(root, "fingerprint", "").asText(), trials);
  }

  private static JsonNode required(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new IllegalArgumentException((where.isEmpty() ? "" : where + ": ") + "missing field '" + field + "'");
    }
    return value;
  }

  private static Object value(JsonNode node, String trial) {
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isTextual()) {
      return node.asText();
    }
    throw new IllegalArgumentException(trial + ": unsupported parameter value " + node);
  }

  private static double number(JsonNode node) {
    return node.isTextual() ? Double.parseDouble(node.asText()) : node.doubleValue();
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
