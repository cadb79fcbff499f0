package dev.mmict.storage.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@code manifest.json} of a feature-cache directory: what the cache holds and how much of each
 * shard is committed. Only bytes a manifest counts are trusted; anything a crash left after them
 * is checked record by record before use.
 *
 * @param format always {@value #FORMAT}
 * @param formatVersion {@value #FORMAT_VERSION}
 * @param encoderFingerprint the fingerprint of the vision encoder whose outputs these are
 * @param dtype always {@code float16}
 * @param featureShape [L, E]: tokens per frame and width; a record holds F·L·E values for F frames
 * @param records records over all shards (a key written twice counts twice)
 * @param maxShardBytes a new shard is started before a record would take one past this
 * @param updatedAt ISO-8601 UTC instant of the last commit
 * @param shards every shard in order
 */
record CacheManifest(
    String format,
    int formatVersion,
    String encoderFingerprint,
    String dtype,
    List<Integer> featureShape,
    long records,
    long maxShardBytes,
    String updatedAt,
    List<ShardEntry> shards) {

  static final String FILE_NAME = "manifest.json";
  static final String FORMAT = "mmict-feature-cache";
  static final int FORMAT_VERSION = 1;
  static final String DTYPE = "float16";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  /** Freezes the lists. */
  CacheManifest {
    featureShape = List.copyOf(Objects.requireNonNull(featureShape, "feature_shape"));
    shards = List.copyOf(Objects.requireNonNull(shards, "shards"));
  }

  /**
   * One shard.
   *
   * @param file the shard's file name
   * @param index its index file's name
   * @param bytes committed length: the bytes the index covers
   * @param records records in those bytes
   */
  record ShardEntry(String file, String index, long bytes, int records) {}

  /** Reads {@code dir/manifest.json}; throws IOException when it is missing or not a manifest. */
  static CacheManifest read(Path dir) throws IOException {
    return MAPPER.readValue(Files.readAllBytes(dir.resolve(FILE_NAME)), CacheManifest.class);
  }

  /** The manifest as JSON bytes. */
  byte[] toJson() throws IOException {
    return MAPPER.writeValueAsBytes(this);
  }
}
