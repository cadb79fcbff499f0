package dev.mmict.storage.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code manifest.json} of a packed dataset: what it holds and the size and sha256 of every
 * file, so a reader can check it cheaply (sizes) or fully (hashes).
 *
 * @param format always {@value #FORMAT}
 * @param formatVersion the layout version; readers refuse versions they do not know
 * @param dataset the packed dataset's name
 * @param tool the program that wrote the pack
 * @param toolVersion its version
 * @param createdAt ISO-8601 UTC time of packing
 * @param pixelEncoding "uint8" or "float32" (see {@link PixelEncoding})
 * @param maxShardBytes the shard size limit the pack was written with
 * @param splits one entry per split, in the dataset's order
 */
public record Manifest(
    String format,
    int formatVersion,
    String dataset,
    String tool,
    String toolVersion,
    String createdAt,
    String pixelEncoding,
    long maxShardBytes,
    List<SplitEntry> splits) {

  /** The manifest's file name in a pack directory. */
  public static final String FILE_NAME = "manifest.json";
  /** The value of {@code format}. */
  public static final String FORMAT = "mmict-records";
  /** The layout version this build writes and reads. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          // Fields added within one format version are optional extras; old readers skip them.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  /** Freezes the list. */
  public Manifest {
    splits = List.copyOf(Objects.requireNonNull(splits, "splits"));
  }

  /**
   * One split.
   *
   * @param name the split's name
   * @param count its samples
   * @param tasks samples per task name
   * @param index its index file
   * @param shards its shard files, in order (record order = sample order)
   */
  public record SplitEntry(
      String name, int count, Map<String, Integer> tasks, FileEntry index, List<ShardEntry> shards) {

    /** Freezes the collections. */
    public SplitEntry {
      // Sorted, so that a manifest's JSON does not depend on hash order.
      tasks = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(tasks, "tasks")));
      shards = List.copyOf(Objects.requireNonNull(shards, "shards"));
    }
  }

  /**
   * A file other than a shard.
   *
   * @param file its name in the pack directory
   * @param bytes its size
   * @param sha256 lower-case hex sha256 of its contents
   */
  public record FileEntry(String file, long bytes, String sha256) {}

  /**
   * A shard file.
   *
   * @param file its name in the pack directory
   * @param bytes its size
   * @param records the records it holds
   * @param sha256 lower-case hex sha256 of its contents
   */
  public record ShardEntry(String file, long bytes, int records, String sha256) {}

  /** The entry of split {@code name}; throws naming the known splits. */
  public SplitEntry split(String name) {
    for (SplitEntry s : splits) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Packed dataset " + dataset + " has no split '" + name
        + "' (it has " + splits.stream().map(SplitEntry::name).toList() + ")");
  }

  /** Reads {@code dir/manifest.json}. */
  public static Manifest read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidPackException(FILE_NAME, "missing from " + dir.toAbsolutePath()
          + " (not a packed dataset directory?)", e);
    }
    try {
      return MAPPER.readValue(json, Manifest.class);
    } catch (JsonProcessingException e) {
      throw new InvalidPackException(FILE_NAME, "not a valid manifest: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes this manifest to {@code dir/manifest.json}, fsynced. */
  void write(Path dir) throws IOException {
    byte[] json = MAPPER.writeValueAsBytes(this);
    try (FileOutputStream out = new FileOutputStream(dir.resolve(FILE_NAME).toFile())) {
      out.write(json);
      out.write('\n');
      out.getChannel().force(true);
    }
  }

  /** This manifest as JSON text. */
  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise the manifest of " + dataset, e);
    }
  }
}
