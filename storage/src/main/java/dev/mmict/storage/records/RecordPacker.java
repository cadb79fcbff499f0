package dev.mmict.storage.records;

import dev.mmict.protocol.v1.SampleRecord;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link Dataset} into a pack directory: per split, shards of CRC-framed {@code
 * SampleRecord}s ({@code train-00000-of-00004.rec}) and an index ({@code train.idx}), plus {@code
 * manifest.json}. Byte layout: module README, "Packed records".
 *
 * <p>Atomic: everything is written into a hidden temporary directory beside the destination, each
 * file fsynced, and the directory renamed into place only when complete; a failed run deletes
 * it, and a killed run leaves only the hidden directory ({@code .NAME.packing-*}), never a
 * partial pack under the destination's name.
 */
public final class RecordPacker {

  /** The {@code tool} written into manifests. */
  public static final String TOOL = "mmict-storage";

  private static final Logger LOG = LoggerFactory.getLogger(RecordPacker.class);
  private static final Pattern SAFE_SPLIT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

  private RecordPacker() {}

  /**
   * Packs every split of {@code dataset} into {@code outDir} and returns the manifest written.
   * Each record's task is the dataset's name.
   *
   * @throws FileAlreadyExistsException if {@code outDir} is a file, or a non-empty directory and
   *     {@code options.overwrite()} is false (checked before any work)
   */
  public static Manifest pack(Dataset dataset, Path outDir, PackOptions options) throws IOException {
    Path out = outDir.toAbsolutePath().normalize();
    checkDestination(out, options.overwrite());
    for (String split : dataset.splits()) {
      if (!SAFE_SPLIT.matcher(split).matches()) {
        throw new IllegalArgumentException("Dataset " + dataset.name() + ": split name '" + split
            + "' cannot name files (letters, digits, '-' and '_' only)");
      }
    }
    Path parent = out.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".packing-");
    long started = System.nanoTime();
    Manifest manifest;
    try {
      long total = 0;
      for (String split : dataset.splits()) {
        total += dataset.size(split);
      }
      options.progress().started(dataset.name(), total);
      long[] done = {0};
      List<Manifest.SplitEntry> splits = new ArrayList<>();
      for (String split : dataset.splits()) {
        splits.add(packSplit(dataset, split, tmp, options, done, total));
      }
      manifest = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, dataset.name(), TOOL,
          toolVersion(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
          options.pixelEncoding().label(), options.maxShardBytes(), splits);
      manifest.write(tmp);
      syncDirectory(tmp);
      publish(tmp, out, options.overwrite());
    } catch (IOException | RuntimeException | Error e) {
      deleteQuietlyInto(tmp, e);
      throw e;
    }
    LOG.info("Packed {} into {} in {} ms", dataset.name(), out,
        (System.nanoTime() - started) / 1_000_000);
    options.progress().finished(manifest);
    return manifest;
  }

  private static Manifest.SplitEntry packSplit(Dataset dataset, String split, Path dir,
      PackOptions options, long[] done, long total) throws IOException {
    int n = dataset.size(split);
    String task = dataset.name();
    SplitIndexWriter index = new SplitIndexWriter(split);
    List<Path> partials = new ArrayList<>();
    List<Finished> finished = new ArrayList<>();
    ShardWriter current = null;
    try {
      for (int i = 0; i < n; i++) {
        Sample sample = dataset.get(split, i);
        byte[] data =
            SampleRecords.toRecord(sample, task, split, i, options.pixelEncoding()).toByteArray();
        long framed = RecordFraming.framedSize(data.length);
        if (current != null && current.bytes() + framed > options.maxShardBytes()) {
          finished.add(Finished.of(current));
          current = null;
        }
        if (current == null) {
          Path partial = dir.resolve(split + "-" + partials.size() + ".partial");
          partials.add(partial);
          current = new ShardWriter(partial);
        }
        long offset = current.append(data);
        index.add(i, partials.size() - 1, offset, data.length, sample.id(), sample.group(),
            sample.queryable(), dataset.groupIndices(split, i));
        options.progress().sampleWritten(split, ++done[0], total);
      }
      if (current != null) {
        finished.add(Finished.of(current));
        current = null;
      }
    } finally {
      if (current != null) {
        current.close();
      }
    }
    int shards = partials.size();
    List<Manifest.ShardEntry> entries = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      String name = shardName(split, s, shards);
      Files.move(partials.get(s), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      Finished f = finished.get(s);
      entries.add(new Manifest.ShardEntry(name, f.bytes(), f.records(), f.sha256()));
      options.progress().shardFinished(name, f.bytes(), f.records());
    }
    String indexName = split + ".idx";
    String indexSha = index.write(dir.resolve(indexName));
    Manifest.FileEntry indexEntry =
        new Manifest.FileEntry(indexName, Files.size(dir.resolve(indexName)), indexSha);
    return new Manifest.SplitEntry(split, n, Map.of(task, n), indexEntry, entries);
  }

  /** A shard written, fsynced and closed, still under its partial name. */
  private record Finished(long bytes, int records, String sha256) {
    static Finished of(ShardWriter w) throws IOException {
      String sha = w.finish();
      return new Finished(w.bytes(), w.records(), sha);
    }
  }

  /** {@code train-00003-of-00010.rec}: shard {@code s} (0-based) of {@code count}. */
  public static String shardName(String split, int s, int count) {
    return String.format("%s-%05d-of-%05d.rec", split, s, count);
  }

  private static void checkDestination(Path out, boolean overwrite) throws IOException {
    if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(out.toString(), null,
          "exists and is not a directory; refusing to pack over it");
    }
    if (!overwrite && !isEmptyDirectory(out)) {
      throw new FileAlreadyExistsException(out.toString(), null,
          "is a non-empty directory; pass overwrite to replace it");
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  /**
   * Renames the complete {@code tmp} to {@code out}. An existing pack is first renamed aside,
   * so that some complete pack is under {@code out} or beside it at every moment.
   */
  private static void publish(Path tmp, Path out, boolean overwrite) throws IOException {
    checkDestination(out, overwrite);
    if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    } else if (isEmptyDirectory(out)) {
      Files.delete(out);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    } else {
      Path old = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".replaced-");
      Files.delete(old);
      Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
      try {
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
        throw e;
      }
      deleteRecursively(old);
    }
    syncDirectory(out.getParent());
  }

  /** fsyncs a directory so that renames and new entries in it survive a power loss. */
  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the files themselves are fsynced.
      LOG.debug("Cannot fsync directory {} on this platform: {}", dir, e.toString());
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void deleteQuietlyInto(Path dir, Throwable failure) {
    try {
      deleteRecursively(dir);
    } catch (IOException | UncheckedIOException e) {
      failure.addSuppressed(e);
    }
  }

  /** This build's version, from the filtered {@code tool.properties}. */
  static String toolVersion() {
    try (InputStream in = RecordPacker.class.getResourceAsStream("tool.properties")) {
      if (in == null) {
        throw new IllegalStateException("dev/mmict/storage/records/tool.properties is missing");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read tool.properties", e);
    }
  }
}
