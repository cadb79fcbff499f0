package dev.mmict.storage.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and writes {@code manifest.json}. Reading is strict: a missing or unknown key, a wrong
 * type, an unsupported schema version or a bad digest fails with the key named, because a manifest
 * this build only half understands cannot be resumed from exactly.
 */
final class ManifestJson {

  /** Identifies the file's kind, so a stray JSON file is not mistaken for a manifest. */
  static final String FORMAT = "mmict-checkpoint";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final Set<String> KEYS =
      Set.of(
          "format",
          "schema_version",
          "step",
          "epoch",
          "created_at",
          "model_fingerprint",
          "metrics",
          "data_cursor",
          "sampler_state",
          "rng_states",
          "config",
          "files");

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private ManifestJson() {}

  /** The UTF-8 JSON of {@code m}, keys in a fixed order, files and metrics sorted by name. */
  static byte[] write(Manifest m) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("schema_version", m.schemaVersion());
    root.put("step", m.step());
    root.put("epoch", m.epoch());
    root.put("created_at", m.createdAt().toString());
    root.put("model_fingerprint", m.modelFingerprint());
    ObjectNode metrics = root.putObject("metrics");
    m.metrics().forEach(metrics::put);
    root.set("data_cursor", m.dataCursor());
    root.set("sampler_state", m.samplerState());
    root.set("rng_states", m.rngStates());
    root.put("config", m.config());
    ObjectNode files = root.putObject("files");
    m.files()
        .forEach(
            (name, e) -> {
              ObjectNode f = files.putObject(name);
              f.put("sha256", e.sha256());
              f.put("size", e.size());
            });
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      // A tree of plain nodes always serialises; reaching this is a bug in this class.
      throw new IllegalStateException("Cannot serialise a checkpoint manifest", e);
    }
  }

  /** Parses a manifest read from checkpoint {@code dir}; every problem names the key. */
  static Manifest parse(byte[] json, Path dir) throws CheckpointException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw fail(dir, "is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw fail(dir, "cannot be parsed: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw fail(dir, "must hold a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw fail(
            dir, "unknown key '" + key + "' (schema version " + Manifest.SCHEMA_VERSION + ")");
      }
    }
    String format = text(root, "format", dir);
    if (!FORMAT.equals(format)) {
      throw fail(dir, "key 'format' is '" + format + "', expected '" + FORMAT + "'");
    }
    long version = number(root, "schema_version", dir);
    if (version != Manifest.SCHEMA_VERSION) {
      throw fail(
          dir,
          "unsupported schema version "
              + version
              + " (this build reads version "
              + Manifest.SCHEMA_VERSION
              + ")");
    }
    Instant createdAt;
    String created = text(root, "created_at", dir);
    try {
      createdAt = Instant.parse(created);
    } catch (DateTimeParseException e) {
      throw fail(dir, "key 'created_at': not an ISO-8601 instant: '" + created + "'", e);
    }
    String fingerprint = text(root, "model_fingerprint", dir);
    if (fingerprint.isBlank()) {
      throw fail(dir, "key 'model_fingerprint' is blank");
    }
    return new Manifest(
        (int) version,
        number(root, "step", dir),
        number(root, "epoch", dir),
        createdAt,
        object(root, "data_cursor", dir),
        object(root, "sampler_state", dir),
        object(root, "rng_states", dir),
        text(root, "config", dir),
        fingerprint,
        metrics(object(root, "metrics", dir), dir),
        files(object(root, "files", dir), dir));
  }

  private static Map<String, Double> metrics(JsonNode node, Path dir) throws CheckpointException {
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isNull()) {
        metrics.put(e.getKey(), null);
      } else if (v.isNumber()) {
        metrics.put(e.getKey(), v.doubleValue());
      } else {
        throw fail(dir, "key 'metrics." + e.getKey() + "' must be a number or null");
      }
    }
    return metrics;
  }

  private static Map<String, Manifest.FileEntry> files(JsonNode node, Path dir)
      throws CheckpointException {
    Map<String, Manifest.FileEntry> files = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      String key = "files." + name;
      try {
        CheckpointNames.requireValidFileName(name);
      } catch (IllegalArgumentException bad) {
        throw fail(dir, "key '" + key + "': " + bad.getMessage());
      }
      JsonNode f = e.getValue();
      if (!f.isObject() || f.size() != 2 || !f.has("sha256") || !f.has("size")) {
        throw fail(dir, "key '" + key + "' must be an object with exactly 'sha256' and 'size'");
      }
      JsonNode sha = f.get("sha256");
      if (!sha.isTextual() || !SHA256.matcher(sha.asText()).matches()) {
        throw fail(dir, "key '" + key + ".sha256' must be 64 lowercase hex digits");
      }
      JsonNode size = f.get("size");
      if (!size.canConvertToExactIntegral() || !size.canConvertToLong() || size.asLong() < 0) {
        throw fail(dir, "key '" + key + ".size' must be an integer >= 0");
      }
      files.put(name, new Manifest.FileEntry(sha.asText(), size.asLong()));
    }
    return files;
  }

  private static JsonNode required(JsonNode root, String key, Path dir) throws CheckpointException {
    JsonNode v = root.get(key);
    if (v == null) {
      throw fail(dir, "missing key '" + key + "'");
    }
    return v;
  }

  private static String text(JsonNode root, String key, Path dir) throws CheckpointException {
    JsonNode v = required(root, key, dir);
    if (!v.isTextual()) {
      throw fail(dir, "key '" + key + "' must be a string, got " + v.getNodeType());
    }
    return v.asText();
  }

  private static long number(JsonNode root, String key, Path dir) throws CheckpointException {
    JsonNode v = required(root, key, dir);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw fail(dir, "key '" + key + "' must be an integer >= 0, got " + v);
    }
    return v.asLong();
  }

  private static JsonNode object(JsonNode root, String key, Path dir) throws CheckpointException {
    JsonNode v = required(root, key, dir);
    if (!v.isObject()) {
      throw fail(dir, "key '" + key + "' must be a JSON object, got " + v.getNodeType());
    }
    return v;
  }

  private static CheckpointException fail(Path dir, String problem) {
    return new CheckpointException(dir, CheckpointNames.MANIFEST, problem);
  }

  private static CheckpointException fail(Path dir, String problem, Throwable cause) {
    return new CheckpointException(dir, CheckpointNames.MANIFEST, problem, cause);
  }
}
