package dev.mmict.storage.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the trainer hands the store besides the files: the position of the run and what it needs to
 * resume exactly. The three JSON states are opaque to the store (JSON objects it stores and returns
 * verbatim).
 *
 * @param step the optimizer step completed (the directory is named after it)
 * @param epoch the epoch the next step belongs to
 * @param dataCursor where the data iteration stands (opaque JSON object)
 * @param samplerState the demonstration sampler's state (opaque JSON object)
 * @param rngStates the random generators' states (opaque JSON object)
 * @param config the resolved run configuration, as YAML text
 * @param modelFingerprint identifies the architecture and vocabulary the parameters belong to
 * @param metrics named values such as a validation metric (non-finite values are stored as null)
 */
public record CheckpointState(
    long step,
    long epoch,
    JsonNode dataCursor,
    JsonNode samplerState,
    JsonNode rngStates,
    String config,
    String modelFingerprint,
    Map<String, Double> metrics) {

  private static final ObjectMapper CANONICAL = new ObjectMapper();

  /** Validates and takes defensive copies. */
  public CheckpointState {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    dataCursor = requireObject("dataCursor", dataCursor);
    samplerState = requireObject("samplerState", samplerState);
    rngStates = requireObject("rngStates", rngStates);
    if (config == null) {
      throw new IllegalArgumentException("config must not be null (pass the resolved YAML)");
    }
    if (modelFingerprint == null || modelFingerprint.isBlank()) {
      throw new IllegalArgumentException("modelFingerprint must not be blank");
    }
    metrics = copyMetrics(metrics);
  }

  @Override
  public JsonNode dataCursor() {
    return dataCursor.deepCopy();
  }

  @Override
  public JsonNode samplerState() {
    return samplerState.deepCopy();
  }

  @Override
  public JsonNode rngStates() {
    return rngStates.deepCopy();
  }

  /**
   * A canonical copy of a JSON object: serialised and parsed again, so numbers get the node types a
   * reader of the manifest gets (a long 960 becomes an int node) and a state compares equal to
   * itself after a round trip through a checkpoint.
   */
  static JsonNode requireObject(String what, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          what + " must be a JSON object, got " + (node == null ? "null" : node.getNodeType()));
    }
    try {
      return CANONICAL.readTree(CANONICAL.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          what + " cannot be serialised as JSON: " + e.getMessage(), e);
    }
  }

  /** A sorted, unmodifiable copy that keeps null values (Map.copyOf would refuse them). */
  static Map<String, Double> copyMetrics(Map<String, Double> metrics) {
    TreeMap<String, Double> copy = new TreeMap<>();
    if (metrics != null) {
      for (Map.Entry<String, Double> e : metrics.entrySet()) {
        if (e.getKey() == null || e.getKey().isBlank()) {
          throw new IllegalArgumentException("A metric name must not be blank");
        }
        Double v = e.getValue();
        copy.put(e.getKey(), v == null || !Double.isFinite(v) ? null : v);
      }
    }
    return Collections.unmodifiableMap(copy);
  }
}
