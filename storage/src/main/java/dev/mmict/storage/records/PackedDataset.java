package dev.mmict.storage.records;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.mmict.protocol.v1.SampleRecord;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pack directory written by {@link RecordPacker}, read as a {@link Dataset}: samples are read
 * one record at a time through the split's memory-mapped index with positioned reads (safe from
 * several threads), every record's CRCs checked; nothing else of the shards is loaded. {@code id},
 * {@code isQueryable} and {@code groupIndices} come from the index alone.
 *
 * <p>{@link #open} checks the manifest and every file's size (cheap); {@link #verify} also checks
 * every file's sha256 (reads everything).
 */
public final class PackedDataset implements Dataset, AutoCloseable {

  /** A sample's place: its split and index there. */
  public record Location(String split, int index) {}

  private static final Pattern PLAIN_FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private record Split(Manifest.SplitEntry entry, SplitIndex index, FileChannel[] shards) {}

  private final Path dir;
  private final Manifest manifest;
  private final Map<String, Split> splits;

  private PackedDataset(Path dir, Manifest manifest, Map<String, Split> splits) {
    this.dir = dir;
    this.manifest = manifest;
    this.splits = splits;
  }

  /**
   * Opens the pack in {@code dir}: reads the manifest, checks its format version, that every
   * listed file exists with its listed size, and each index's header; opens the shards.
   *
   * @throws InvalidPackException naming the first file that does not match the manifest
   */
  public static PackedDataset open(Path dir) throws IOException {
    Manifest manifest = Manifest.read(dir);
    if (!Manifest.FORMAT.equals(manifest.format())) {
      throw new InvalidPackException(Manifest.FILE_NAME,
          "format is '" + manifest.format() + "', expected '" + Manifest.FORMAT + "'");
    }
    if (manifest.formatVersion() != Manifest.FORMAT_VERSION) {
      throw new InvalidPackException(Manifest.FILE_NAME, "format version "
          + manifest.formatVersion() + ", this build reads " + Manifest.FORMAT_VERSION);
    }
    Map<String, Split> splits = new LinkedHashMap<>();
    try {
      Set<String> seen = new HashSet<>();
      for (Manifest.SplitEntry s : manifest.splits()) {
        if (s.name() == null || !seen.add(s.name()) || s.index() == null || s.count() < 0) {
          throw new InvalidPackException(Manifest.FILE_NAME,
              "split entry " + s.name() + " is missing, duplicated or malformed");
        }
        long records = 0;
        for (Manifest.ShardEntry shard : s.shards()) {
          checkSize(dir, shard.file(), shard.bytes());
          records += shard.records();
        }
        if (records != s.count()) {
          throw new InvalidPackException(Manifest.FILE_NAME, "split " + s.name() + " counts "
              + s.count() + " samples but its shards hold " + records + " records");
        }
        checkSize(dir, s.index().file(), s.index().bytes());
        SplitIndex index = SplitIndex.open(dir.resolve(s.index().file()), s.count());
        FileChannel[] channels = new FileChannel[s.shards().size()];
        // Registered before the channels open, so that a failure below closes those opened.
        splits.put(s.name(), new Split(s, index, channels));
        for (int k = 0; k < channels.length; k++) {
          channels[k] = FileChannel.open(dir.resolve(s.shards().get(k).file()), StandardOpenOption.READ);
        }
      }
    } catch (IOException | RuntimeException e) {
      closeAll(splits.values(), e);
      throw e;
    }
    return new PackedDataset(dir, manifest, splits);
  }

  private static void checkSize(Path dir, String file, long bytes) throws IOException {
    if (file == null || !PLAIN_FILE_NAME.matcher(file).matches()) {
      throw new InvalidPackException(Manifest.FILE_NAME, "lists the file name '" + file
          + "', which is not a plain file name in the pack directory");
    }
    long actual;
    try {
      actual = Files.size(dir.resolve(file));
    } catch (NoSuchFileException e) {
      throw new InvalidPackException(file, "listed in the manifest but missing", e);
    }
    if (actual != bytes) {
      throw new InvalidPackException(file, "has " + actual + " bytes, the manifest says " + bytes
          + (actual < bytes ? " (truncated?)" : ""));
    }
  }

  /**
   * Checks the sha256 of every index and shard against the manifest, reading every byte.
   *
   * @throws InvalidPackException naming the first file whose hash differs
   */
  public void verify() throws IOException {
    for (Split s : splits.values()) {
      Manifest.FileEntry index = s.entry().index();
      checkSha(index.file(), index.sha256());
      for (Manifest.ShardEntry shard : s.entry().shards()) {
        checkSha(shard.file(), shard.sha256());
      }
    }
  }

  private void checkSha(String file, String expected) throws IOException {
    String actual = Digests.sha256(dir.resolve(file));
    if (!actual.equalsIgnoreCase(String.valueOf(expected))) {
      throw new InvalidPackException(file, "sha256 is " + actual + ", the manifest says " + expected);
    }
  }

  /** The pack's manifest. */
  public Manifest manifest() {
    return manifest;
  }

  /** The pack directory. */
  public Path directory() {
    return dir;
  }

  @Override
  public String name() {
    return manifest.dataset();
  }

  @Override
  public List<String> splits() {
    return List.copyOf(splits.keySet());
  }

  @Override
  public int size(String split) {
    return split(split).index().count();
  }

  @Override
  public String id(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return split(split).index().id(index);
  }

  @Override
  public boolean isQueryable(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return split(split).index().queryable(index);
  }

  @Override
  public int[] groupIndices(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return split(split).index().groupIndices(index);
  }

  /**
   * Reads sample {@code index} of {@code split}.
   *
   * @throws CorruptRecordException naming the shard and offset if the record fails a CRC, is
   *     truncated, does not decode, or is not the sample the index says
   */
  @Override
  public Sample get(String split, int index) {
    Dataset.checkIndex(this, split, index);
    Split s = split(split);
    int shardNo = s.index().shard(index);
    if (shardNo < 0 || shardNo >= s.shards().length) {
      throw new InvalidPackException(s.entry().index().file(),
          "sample " + index + " points at shard " + shardNo + " of " + s.shards().length);
    }
    String shard = s.entry().shards().get(shardNo).file();
    long offset = s.index().offset(index);
    byte[] data = RecordFraming.readAt(s.shards()[shardNo], shard, offset);
    if (data.length != s.index().length(index)) {
      throw new CorruptRecordException(shard, offset, "holds " + data.length
          + " data bytes, the index says " + s.index().length(index));
    }
    SampleRecord record;
    try {
      record = SampleRecord.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptRecordException(shard, offset, "not a SampleRecord: " + e.getMessage(), e);
    }
    String id = s.index().id(index);
    if (!record.getId().equals(id) || !record.getSplit().equals(split) || record.getIndex() != index) {
      throw new CorruptRecordException(shard, offset, "holds " + record.getSplit() + "[" + record.getIndex()
          + "] '" + record.getId() + "', the index expects " + split + "[" + index + "] '" + id + "'");
    }
    try {
      return SampleRecords.fromRecord(record);
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException(shard, offset, e.getMessage(), e);
    }
  }

  /** Where the sample with {@code id} is, found by binary search in each split's index. */
  public Optional<Location> locate(String id) {
    for (Map.Entry<String, Split> e : splits.entrySet()) {
      int index = e.getValue().index().find(id);
      if (index >= 0) {
        return Optional.of(new Location(e.getKey(), index));
      }
    }
    return Optional.empty();
  }

  /** The sample with {@code id}; throws if there is none. */
  public Sample get(String id) {
    Location at = locate(id).orElseThrow(() -> new IllegalArgumentException(
        "Packed dataset " + name() + " has no sample with id '" + id + "'"));
    return get(at.split(), at.index());
  }

  /** Samples per task name in {@code split}, from the manifest. */
  public Map<String, Integer> taskCounts(String split) {
    return split(split).entry().tasks();
  }

  private Split split(String name) {
    Split s = splits.get(name);
    if (s == null) {
      throw new IllegalArgumentException("Packed dataset " + name() + " at " + dir
          + " has no split '" + name + "' (it has " + splits.keySet() + ")");
    }
    return s;
  }

  /** Closes the shard files; reads afterwards fail. */
  @Override
  public void close() throws IOException {
    IOException failure = new IOException("Cannot close packed dataset " + dir);
    closeAll(splits.values(), failure);
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private static void closeAll(Iterable<Split> splits, Throwable into) {
    List<FileChannel> channels = new ArrayList<>();
    for (Split s : splits) {
      for (FileChannel c : s.shards()) {
        if (c != null) {
          channels.add(c);
        }
      }
    }
    for (FileChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        into.addSuppressed(e);
      }
    }
  }

  @Override
  public String toString() {
    return "PackedDataset[" + name() + " at " + dir + "]";
  }
}
