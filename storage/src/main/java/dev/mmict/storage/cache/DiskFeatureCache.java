package dev.mmict.storage.cache;

import dev.mmict.storage.records.CorruptRecordException;
import dev.mmict.storage.records.RecordFraming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frozen vision-encoder features of one encoder fingerprint on disk: float16 records in
 * append-only CRC-framed shards, one index per shard, and a manifest naming the fingerprint, the
 * feature shape and how much of each shard is committed. Reads are positioned reads of one record
 * (never the whole cache in memory; only the key → location map is held).
 *
 * <p>Layout under the cache root: {@code vit-<first 16 hex digits of the fingerprint>/} holding
 * {@code manifest.json}, {@code lock}, {@code features-00000.shard}, {@code features-00000.idx}, …
 * Caches of other encoders live in their own directories and are never read.
 *
 * <p>Crash safety: records are appended; a commit fsyncs the shard, then replaces its index and
 * the manifest atomically (temporary file, fsync, rename, directory fsync). On open, bytes after
 * the committed length (a crash between commits) are checked record by record: whole records
 * with good CRCs are kept, the first torn one and everything after it are ignored (and cut off by
 * a writer). A damaged index is rebuilt from its shard. A manifest of another fingerprint, shape
 * or format is never served: a reader ignores the directory, a writer empties it; both log why.
 *
 * <p>Concurrency: any number of threads and processes may read. One process writes a directory at
 * a time: the writer holds an exclusive lock on {@code lock} (the file is left in place; the lock
 * dies with the process). A second process opening the directory gets a read-only view of what
 * was committed when it opened. Within the writing process, {@link #put} is serialised.
 */
public final class DiskFeatureCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiskFeatureCache.class);
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{16,}");
  private static final Pattern OWN_FILE =
      Pattern.compile("(manifest\\.json|features-\\d{5}\\.(shard|idx))(\\.tmp)?");

  /**
   * What the cache holds.
   *
   * @param fingerprint the vision encoder's fingerprint (lowercase hex, at least 16 digits)
   * @param tokensPerFrame L: encoder output tokens per frame
   * @param width E: the encoder's width
   */
  public record Spec(String fingerprint, int tokensPerFrame, int width) {
    /** Checks the fingerprint and the shape. */
    public Spec {
      if (fingerprint == null || !HEX.matcher(fingerprint).matches()) {
        throw new IllegalArgumentException("encoder fingerprint must be at least 16 lowercase hex digits, got '"
            + fingerprint + "'");
      }
      if (tokensPerFrame < 1 || width < 1) {
        throw new IllegalArgumentException("feature shape must be positive, got [" + tokensPerFrame + ", " + width
            + "]");
      }
    }

    /** Values per frame, L·E. */
    int valuesPerFrame() {
      return tokensPerFrame * width;
    }
  }

  /**
   * Write settings.
   *
   * @param maxShardBytes a new shard starts before a record would take the current one past this
   * @param commitEvery puts between commits (a crash loses at most the uncommitted records whose
   *     bytes did not reach the disk; they are recomputed next time)
   */
  public record Options(long maxShardBytes, int commitEvery) {
    /** 256 MiB shards, a commit every 1024 records. */
    public static final Options DEFAULTS = new Options(256L << 20, 1024);

    /** Checks the ranges. */
    public Options {
      if (maxShardBytes < 1024 || commitEvery < 1) {
        throw new IllegalArgumentException("maxShardBytes must be ≥ 1024 and commitEvery ≥ 1, got "
            + maxShardBytes + ", " + commitEvery);
      }
    }
  }

  /** Counters since open: lookups that found a record, lookups that did not, records written, corrupt records met. */
  public record Stats(long hits, long misses, long writes, long corrupt) {}

  private record Location(int shard, long offset) {}

  /** One shard file: its channel and how far it is written and committed. */
  private static final class Shard {
    final String name;
    final String indexName;
    final FileChannel channel;
    final List<ShardIndexFile.Entry> entries;
    long bytes;
    long committedBytes;

    Shard(String name, FileChannel channel, List<ShardIndexFile.Entry> entries, long bytes) {
      this.name = name;
      this.indexName = name.replace(".shard", ".idx");
      this.channel = channel;
      this.entries = entries;
      this.bytes = bytes;
      this.committedBytes = bytes;
    }
  }

  private final Path dir;
  private final Spec spec;
  private final Options options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<Shard> shards = new CopyOnWriteArrayList<>();
  private final Map<String, Location> index = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong corrupt = new AtomicLong();
  private long writes;
  private int sinceCommit;
  private boolean dirty;
  private boolean closed;

  private DiskFeatureCache(Path dir, Spec spec, Options options, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.spec = spec;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** The directory of {@code fingerprint}'s cache under {@code root}. */
  public static Path directoryFor(Path root, String fingerprint) {
    if (fingerprint == null || !HEX.matcher(fingerprint).matches()) {
      throw new IllegalArgumentException("encoder fingerprint must be at least 16 lowercase hex digits, got '"
          + fingerprint + "'");
    }
    return root.resolve("vit-" + fingerprint.substring(0, 16));
  }

  /**
   * Opens (creating it if needed) the cache of {@code spec.fingerprint()} under {@code root}, as
   * its writer if no other process writes it, else read-only (logged).
   *
   * @throws UncheckedIOException naming the directory when it cannot be created or read
   */
  public static DiskFeatureCache open(Path root, Spec spec, Options options) {
    Path dir = directoryFor(root, spec.fingerprint());
    FileChannel lockChannel = null;
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM already writes it through another instance
      }
      if (lock == null) {
        lockChannel.close();
        lockChannel = null;
        LOG.info("feature cache {}: another writer holds {}; opening it read-only", dir, dir.resolve("lock"));
      }
      DiskFeatureCache cache = new DiskFeatureCache(dir, spec, options, lockChannel, lock);
      try {
        cache.load();
      } catch (IOException | RuntimeException e) {
        cache.closeChannels();
        throw e;
      }
      return cache;
    } catch (IOException e) {
      closeQuietlyAfterFailure(lockChannel, e);
      throw new UncheckedIOException("cannot open the feature cache at " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Opens the cache of {@code spec} under {@code root} read-only, without taking the lock. */
  public static DiskFeatureCache openReadOnly(Path root, Spec spec) {
    Path dir = directoryFor(root, spec.fingerprint());
    DiskFeatureCache cache = new DiskFeatureCache(dir, spec, Options.DEFAULTS, null, null);
    try {
      if (Files.isDirectory(dir)) {
        cache.load();
      }
      return cache;
    } catch (IOException e) {
      cache.closeChannels();
      throw new UncheckedIOException("cannot open the feature cache at " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The directory of this cache. */
  public Path dir() {
    return dir;
  }

  /** What the cache holds. */
  public Spec spec() {
    return spec;
  }

  /** Whether this instance may {@link #put} (it holds the writer lock). */
  public boolean writable() {
    return lock != null;
  }

  /** Distinct keys served. */
  public int size() {
    return index.size();
  }

  /** Whether {@code key} has a record (not reading it). */
  public boolean contains(String key) {
    return index.containsKey(key);
  }

  /** The counters since open. */
  public synchronized Stats stats() {
    return new Stats(hits.get(), misses.get(), writes, corrupt.get());
  }

  /**
   * The features of {@code key}, or null when none are stored. Safe from any thread.
   *
   * @throws CorruptRecordException naming the shard and byte offset when the record fails a check
   *     (CRC, length, key); the key is then forgotten, so a later {@link #put} replaces it
   */
  public float[] get(String key) {
    Location at = index.get(key);
    if (at == null) {
      misses.incrementAndGet();
      return null;
    }
    Shard shard = shards.get(at.shard());
    try {
      FeatureRecord.Decoded record = FeatureRecord.decode(
          RecordFraming.readAt(shard.channel, shard.name, at.offset()), shard.name, at.offset());
      if (!record.key().equals(key)) {
        throw new CorruptRecordException(shard.name, at.offset(), "holds key '" + record.key()
            + "' where the index has '" + key + "'");
      }
      if (record.values().length == 0 || record.values().length % spec.valuesPerFrame() != 0) {
        throw new CorruptRecordException(shard.name, at.offset(), record.values().length
            + " values are not a whole number of frames of " + spec.valuesPerFrame());
      }
      hits.incrementAndGet();
      return record.values();
    } catch (CorruptRecordException e) {
      index.remove(key, at);
      corrupt.incrementAndGet();
      throw e;
    }
  }

  /**
   * Appends the features of {@code key} (F·L·E values) in float16 and returns what {@link #get}
   * will return for it: the values rounded to float16.
   *
   * @throws IllegalStateException if this instance is read-only or closed
   * @throws IllegalArgumentException if the values are not whole frames or a value is NaN,
   *     infinite or beyond float16's ±65504 (check with {@link #representable} first)
   */
  public synchronized float[] put(String key, float[] values) {
    if (!writable() || closed) {
      throw new IllegalStateException("feature cache " + dir + " is " + (closed ? "closed" : "read-only")
          + ": cannot store '" + key + "'");
    }
    if (values.length == 0 || values.length % spec.valuesPerFrame() != 0) {
      throw new IllegalArgumentException("features of '" + key + "' have " + values.length
          + " values, not a whole number of frames of " + spec.tokensPerFrame() + "x" + spec.width());
    }
    int bad = FeatureRecord.firstUnrepresentable(values);
    if (bad >= 0) {
      throw new IllegalArgumentException("feature " + bad + " of '" + key + "' is " + values[bad]
          + ", which float16 cannot hold (finite, |v| <= 65504)");
    }
    byte[] data = FeatureRecord.encode(key, values);
    long framed = RecordFraming.framedSize(data.length);
    try {
      Shard shard = shards.isEmpty() ? null : shards.get(shards.size() - 1);
      if (shard == null || (shard.bytes > 0 && shard.bytes + framed > options.maxShardBytes())) {
        shard = startShard();
      }
      ByteBuffer buf = ByteBuffer.allocate((int) framed);
      buf.put(RecordFraming.header(data.length)).put(data).put(RecordFraming.footer(data)).flip();
      long offset = shard.bytes;
      long position = offset;
      while (buf.hasRemaining()) {
        position += shard.channel.write(buf, position);
      }
      shard.bytes = position;
      shard.entries.add(new ShardIndexFile.Entry(key, offset));
      index.put(key, new Location(shards.size() - 1, offset));
      writes++;
      dirty = true;
      if (++sinceCommit >= options.commitEvery()) {
        commit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append '" + key + "' to the feature cache at " + dir, e);
    }
    return FeatureRecord.rounded(values);
  }

  /** {@code values} as a cache would return them after a put: each rounded to float16. */
  public static float[] asStored(float[] values) {
    return FeatureRecord.rounded(values);
  }

  /** Whether every value fits float16 (finite, |v| ≤ 65504), so that {@link #put} accepts them. */
  public static boolean representable(float[] values) {
    return FeatureRecord.firstUnrepresentable(values) < 0;
  }

  /**
   * Makes every record put so far durable: fsyncs the current shard, then replaces its index and
   * the manifest atomically. A no-op for a reader or when nothing changed.
   */
  public synchronized void commit() {
    if (!writable() || !dirty) {
      return;
    }
    try {
      Shard shard = shards.get(shards.size() - 1);
      shard.channel.force(true);
      writeAtomically(dir.resolve(shard.indexName), ShardIndexFile.encode(shard.entries));
      shard.committedBytes = shard.bytes;
      writeManifest();
      sinceCommit = 0;
      dirty = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit the feature cache at " + dir, e);
    }
  }

  /** Commits (a writer), closes the shards and releases the writer lock. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      commit();
    } finally {
      closed = true;
      closeChannels();
    }
  }

  // ---- opening ----------------------------------------------------------------------------

  private void load() throws IOException {
    CacheManifest manifest;
    try {
      manifest = CacheManifest.read(dir);
    } catch (NoSuchFileException e) {
      List<Path> leftovers = ownFiles();
      if (!leftovers.isEmpty()) {
        LOG.warn("feature cache {}: no manifest but {} file(s) of an interrupted first write; {}", dir,
            leftovers.size(), writable() ? "removing them" : "ignoring them");
        if (writable()) {
          wipe();
        }
      }
      return;
    } catch (IOException e) {
      invalidate("its manifest cannot be read (" + e.getMessage() + ")");
      return;
    }
    String mismatch = mismatch(manifest);
    if (mismatch != null) {
      invalidate(mismatch);
      return;
    }
    boolean repaired = false;
    List<String> listed = new ArrayList<>();
    for (CacheManifest.ShardEntry entry : manifest.shards()) {
      listed.add(entry.file());
      listed.add(entry.index());
      repaired |= loadShard(entry);
    }
    if (writable()) {
      for (Path p : ownFiles()) {
        String name = p.getFileName().toString();
        if (!name.equals(CacheManifest.FILE_NAME) && !listed.contains(name)) {
          LOG.warn("feature cache {}: removing {}, which the manifest does not list (left by a crash)", dir, name);
          Files.delete(p);
        }
      }
      if (repaired) {
        for (Shard s : shards) {
          writeAtomically(dir.resolve(s.indexName), ShardIndexFile.encode(s.entries));
          s.committedBytes = s.bytes;
        }
        writeManifest();
      }
    }
    LOG.info("feature cache {}: {} visual(s) of encoder {} in {} shard(s){}", dir, index.size(),
        spec.fingerprint().substring(0, 16), shards.size(), writable() ? "" : " (read-only)");
  }

  /** Why a manifest must not be served, or null when it matches this cache's spec. */
  private String mismatch(CacheManifest m) {
    if (!CacheManifest.FORMAT.equals(m.format()) || m.formatVersion() != CacheManifest.FORMAT_VERSION
        || !CacheManifest.DTYPE.equals(m.dtype())) {
      return "it is format " + m.format() + " v" + m.formatVersion() + " of " + m.dtype() + ", this build reads "
          + CacheManifest.FORMAT + " v" + CacheManifest.FORMAT_VERSION + " of " + CacheManifest.DTYPE;
    }
    if (!spec.fingerprint().equals(m.encoderFingerprint())) {
      return "it was built for encoder fingerprint " + m.encoderFingerprint() + ", this encoder's is "
          + spec.fingerprint();
    }
    if (!List.of(spec.tokensPerFrame(), spec.width()).equals(m.featureShape())) {
      return "it holds features of shape " + m.featureShape() + " per frame, this encoder makes ["
          + spec.tokensPerFrame() + ", " + spec.width() + "]";
    }
    return null;
  }

  /** Logs why the directory is not served; a writer empties it to rebuild. */
  private void invalidate(String why) throws IOException {
    LOG.warn("feature cache {}: not served because {}; {}", dir, why,
        writable() ? "emptying it to rebuild" : "every visual will be encoded afresh");
    if (writable()) {
      wipe();
    }
  }

  /**
   * Opens one shard listed in the manifest and indexes its records. Returns true when its index
   * had to be rebuilt or its length changed (the caller then rewrites index and manifest).
   */
  private boolean loadShard(CacheManifest.ShardEntry entry) throws IOException {
    Path file = dir.resolve(entry.file());
    if (!Files.isRegularFile(file)) {
      LOG.warn("feature cache {}: shard {} is missing; its {} record(s) will be encoded afresh", dir, entry.file(),
          entry.records());
      return true;
    }
    FileChannel channel = writable()
        ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(file, StandardOpenOption.READ);
    long size = channel.size();
    boolean repaired = false;
    List<ShardIndexFile.Entry> entries = new ArrayList<>();
    long end;
    if (size < entry.bytes()) {
      LOG.warn("feature cache {}: shard {} has {} bytes but {} were committed; keeping the whole records left",
          dir, entry.file(), size, entry.bytes());
      end = scan(channel, entry.file(), 0, size, entries);
      repaired = true;
    } else {
      try {
        entries.addAll(ShardIndexFile.read(dir.resolve(entry.index()), entry.records(), entry.bytes()));
        end = entry.bytes();
      } catch (IOException e) {
        LOG.warn("feature cache {}: rebuilding the index of {} from the shard ({})", dir, entry.file(),
            e.getMessage());
        end = scan(channel, entry.file(), 0, entry.bytes(), entries);
        repaired = true;
        if (end < entry.bytes()) {
          LOG.warn("feature cache {}: shard {} is damaged at byte {}; dropping the {} byte(s) from there", dir,
              entry.file(), end, size - end);
        }
      }
      if (end == entry.bytes() && size > end) {
        end = scanTail(channel, entry, size, entries);
        repaired = true;
      }
    }
    finishShard(channel, entry.file(), entries, end, size);
    return repaired;
  }

  /** Indexes whole records after the committed bytes (written before a crash); returns the end. */
  private long scanTail(FileChannel channel, CacheManifest.ShardEntry entry, long size,
      List<ShardIndexFile.Entry> entries) {
    int before = entries.size();
    long end = scan(channel, entry.file(), entry.bytes(), size, entries);
    LOG.warn("feature cache {}: shard {} has {} byte(s) after its last commit (a crash?): kept {} whole record(s)"
        + "{}", dir, entry.file(), size - entry.bytes(), entries.size() - before,
        end < size ? ", ignoring the torn " + (size - end) + " byte(s) at offset " + end : "");
    return end;
  }

  /** Registers a loaded shard; a writer cuts off bytes after {@code end}. */
  private void finishShard(FileChannel channel, String name, List<ShardIndexFile.Entry> entries, long end,
      long size) throws IOException {
    if (end < size && writable()) {
      channel.truncate(end);
      channel.force(true);
    }
    Shard shard = new Shard(name, channel, new ArrayList<>(entries), end);
    shards.add(shard);
    int number = shards.size() - 1;
    for (ShardIndexFile.Entry e : entries) {
      index.put(e.key(), new Location(number, e.offset()));
    }
  }

  /**
   * Adds every whole, CRC-valid record in [from, to) to {@code entries}, stopping at the first
   * bad one; returns where the good records end.
   */
  private long scan(FileChannel channel, String name, long from, long to, List<ShardIndexFile.Entry> entries) {
    long offset = from;
    while (offset < to) {
      try {
        byte[] data = RecordFraming.readAt(channel, name, offset);
        long next = offset + RecordFraming.framedSize(data.length);
        if (next > to) {
          break;
        }
        entries.add(new ShardIndexFile.Entry(FeatureRecord.key(data, name, offset), offset));
        offset = next;
      } catch (CorruptRecordException e) {
        LOG.debug("feature cache {}: scan stops: {}", dir, e.getMessage());
        break;
      }
    }
    return offset;
  }

  // ---- writing ----------------------------------------------------------------------------

  /** Commits the current shard and starts the next one, listed in the manifest at once. */
  private Shard startShard() throws IOException {
    commit();
    // After the last file's number, not the count: a shard lost from the middle leaves a gap.
    int number = shards.isEmpty() ? 0 : Integer.parseInt(shards.get(shards.size() - 1).name.substring(9, 14)) + 1;
    String name = String.format("features-%05d.shard", number);
    FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    Shard shard = new Shard(name, channel, new ArrayList<>(), 0);
    shards.add(shard);
    writeAtomically(dir.resolve(shard.indexName), ShardIndexFile.encode(shard.entries));
    writeManifest();
    return shard;
  }

  private void writeManifest() throws IOException {
    List<CacheManifest.ShardEntry> entries = new ArrayList<>();
    long records = 0;
    for (Shard s : shards) {
      // Called only when every shard is committed: its entries are exactly its committed records.
      entries.add(new CacheManifest.ShardEntry(s.name, s.indexName, s.committedBytes, s.entries.size()));
      records += s.entries.size();
    }
    CacheManifest m = new CacheManifest(CacheManifest.FORMAT, CacheManifest.FORMAT_VERSION, spec.fingerprint(),
        CacheManifest.DTYPE, List.of(spec.tokensPerFrame(), spec.width()), records, options.maxShardBytes(),
        Instant.now().toString(), entries);
    writeAtomically(dir.resolve(CacheManifest.FILE_NAME), m.toJson());
  }

  /** Writes {@code file} through a temporary file, fsync and rename, then fsyncs the directory. */
  private void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for fsync; the rename is then as durable as they make it.
      LOG.debug("feature cache {}: directory fsync unsupported: {}", dir, e.getMessage());
    }
  }

  /** The cache's own files in the directory (never the lock or foreign files). */
  private List<Path> ownFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (OWN_FILE.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
          out.add(p);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Deletes the manifest first (so a crash mid-wipe leaves no manifest), then the shards and indexes. */
  private void wipe() throws IOException {
    closeShardChannels();
    shards.clear();
    index.clear();
    Files.deleteIfExists(dir.resolve(CacheManifest.FILE_NAME));
    for (Path p : ownFiles()) {
      Files.delete(p);
    }
  }

  private void closeChannels() {
    closeShardChannels();
    try {
      if (lock != null && lock.isValid()) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the feature cache lock in " + dir, e);
    }
  }

  private void closeShardChannels() {
    IOException first = null;
    for (Shard s : shards) {
      try {
        s.channel.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw new UncheckedIOException("cannot close a shard of the feature cache in " + dir, first);
    }
  }

  private static void closeQuietlyAfterFailure(FileChannel channel, IOException failure) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
    }
  }
}
