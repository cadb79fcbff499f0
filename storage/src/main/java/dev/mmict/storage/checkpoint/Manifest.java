package dev.mmict.storage.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The content of a checkpoint's {@code manifest.json}: the run position and resume state, the
 * resolved config, the model fingerprint, metrics, and the size and sha256 of every file.
 *
 * @param schemaVersion the manifest layout version ({@link #SCHEMA_VERSION} when written here)
 * @param step the optimizer step completed
 * @param epoch the epoch the next step belongs to
 * @param createdAt when the checkpoint was written
 * @param dataCursor opaque JSON object from the trainer
 * @param samplerState opaque JSON object from the trainer
 * @param rngStates opaque JSON object from the trainer
 * @param config the resolved run configuration (YAML text)
 * @param modelFingerprint identifies the architecture and vocabulary of the parameters
 * @param metrics named values; null where the value was not finite
 * @param files every file of the checkpoint except the manifest itself, by name
 */
public record Manifest(
    int schemaVersion,
    long step,
    long epoch,
    Instant createdAt,
    JsonNode dataCursor,
    JsonNode samplerState,
    JsonNode rngStates,
    String config,
    String modelFingerprint,
    Map<String, Double> metrics,
    Map<String, FileEntry> files) {

  /** The version this build writes and the only one it reads. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * One file of a checkpoint.
   *
   * @param sha256 lowercase hex digest of its content
   * @param size its length in bytes
   */
  public record FileEntry(String sha256, long size) {}

  /** Validates and takes defensive copies. */
  public Manifest {
    dataCursor = CheckpointState.requireObject("dataCursor", dataCursor);
    samplerState = CheckpointState.requireObject("samplerState", samplerState);
    rngStates = CheckpointState.requireObject("rngStates", rngStates);
    metrics = CheckpointState.copyMetrics(metrics);
    files = Collections.unmodifiableMap(new TreeMap<>(files));
  }

  /** The manifest of a checkpoint of {@code state} with {@code files}, written at {@code now}. */
  static Manifest of(CheckpointState state, Instant now, Map<String, FileEntry> files) {
    return new Manifest(
        SCHEMA_VERSION,
        state.step(),
        state.epoch(),
        now,
        state.dataCursor(),
        state.samplerState(),
        state.rngStates(),
        state.config(),
        state.modelFingerprint(),
        state.metrics(),
        files);
  }

  /** The value of metric {@code name}, empty when absent or stored as null. */
  public OptionalDouble metric(String name) {
    Double v = metrics.get(name);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** Total size of the files listed (the manifest itself not included). */
  public long filesSize() {
    return files.values().stream().mapToLong(FileEntry::size).sum();
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
}
