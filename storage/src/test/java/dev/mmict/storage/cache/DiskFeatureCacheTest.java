package dev.mmict.storage.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.records.CorruptRecordException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk feature cache: float16 round trip, keying by fingerprint, corruption and crash recovery. */
class DiskFeatureCacheTest {
  private static final String FP_A = "a".repeat(64);
  private static final String FP_B = "ab".repeat(32);
  /** L = 2 tokens of width E = 3: six values per frame. */
  private static final DiskFeatureCache.Spec SPEC = new DiskFeatureCache.Spec(FP_A, 2, 3);
  private static final DiskFeatureCache.Options OPTS = new DiskFeatureCache.Options(1 << 20, 1000);

  @TempDir
  Path root;

  private static float[] values(int seed, int frames) {
    Random r = new Random(seed);
    float[] v = new float[6 * frames];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 4);
    }
    return v;
  }

  /** Bytes of the record of a key of {@code keyLength} ASCII bytes and n values: 16 framing + 2 + k + 4 + 2n. */
  private static long framed(int keyLength, int n) {
    return 16 + 2 + keyLength + 4 + 2L * n;
  }

  @Test
  void valuesComeBackRoundedToFloat16AcrossReopening() {
    float[] exact = {1f, 0.1f, -2.5f, 65504f, 1e-6f, 0f};
    // Hand-computed float16 values: 0.1 is 0x2e66 = 1638/16384; 1e-6 is the subnormal 17·2^-24.
    float[] expected = {1f, 1638f / 16384f, -2.5f, 65504f, 17f / (1 << 24), 0f};
    float[] random = values(1, 2);
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      assertTrue(c.writable());
      assertArrayEquals(expected, c.put("exact", exact));
      float[] returned = c.put("clip", random);
      for (int i = 0; i < random.length; i++) {
        // Round to nearest: within half a float16 ulp, 2^-11 relative for normal values.
        assertEquals(random[i], returned[i], Math.abs(random[i]) * 0x1p-11 + 0x1p-25, "value " + i);
      }
      assertArrayEquals(expected, c.get("exact"));
      assertArrayEquals(returned, c.get("clip"));
      assertNull(c.get("absent"));
      assertEquals(new DiskFeatureCache.Stats(2, 1, 2, 0), c.stats());
    }
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(root, SPEC)) {
      assertFalse(c.writable());
      assertEquals(2, c.size());
      assertArrayEquals(expected, c.get("exact"));
      assertEquals(12, c.get("clip").length);
    }
  }

  @Test
  void valuesFloat16CannotHoldAndPartialFramesAreRefused() {
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      float[] big = values(2, 1);
      big[4] = 70000f;
      assertFalse(DiskFeatureCache.representable(big));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.put("big", big));
      assertTrue(e.getMessage().contains("feature 4 of 'big'"), e.getMessage());
      float[] nan = values(2, 1);
      nan[0] = Float.NaN;
      assertThrows(IllegalArgumentException.class, () -> c.put("nan", nan));
      assertThrows(IllegalArgumentException.class, () -> c.put("partial", new float[5]));
      assertEquals(0, c.size());
    }
  }

  @Test
  void anotherFingerprintIsNeverServed() throws IOException {
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      c.put("img", values(3, 1));
    }
    DiskFeatureCache.Spec other = new DiskFeatureCache.Spec(FP_B, 2, 3);
    assertNotEquals(DiskFeatureCache.directoryFor(root, FP_A), DiskFeatureCache.directoryFor(root, FP_B));
    try (DiskFeatureCache c = DiskFeatureCache.open(root, other, OPTS)) {
      assertNull(c.get("img"));
      assertEquals(0, c.size());
    }
    // A directory whose manifest names another encoder (copied by hand, or a prefix clash) is
    // ignored by a reader and emptied by a writer.
    Path a = DiskFeatureCache.directoryFor(root, FP_A);
    Path b = DiskFeatureCache.directoryFor(root, FP_B);
    try (Stream<Path> files = Files.list(a)) {
      for (Path f : files.toList()) {
        Files.copy(f, b.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(root, other)) {
      assertNull(c.get("img"));
    }
    assertTrue(Files.exists(b.resolve("features-00000.shard")), "a reader changes nothing");
    try (DiskFeatureCache c = DiskFeatureCache.open(root, other, OPTS)) {
      assertNull(c.get("img"));
      assertFalse(Files.exists(b.resolve("features-00000.shard")), "a writer empties it");
      c.put("img", values(4, 1));
    }
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(root, SPEC)) {
      assertArrayEquals(FeatureRecord.rounded(values(3, 1)), c.get("img"), "the first encoder's cache is intact");
    }
    // Same fingerprint, other feature shape: not served either.
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(root, new DiskFeatureCache.Spec(FP_A, 3, 2))) {
      assertNull(c.get("img"));
    }
  }

  @Test
  void aCorruptRecordIsReportedWithShardAndOffsetThenReplaced() throws IOException {
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      c.put("k0", values(5, 1));
      c.put("k1", values(6, 1));
      c.put("k2", values(7, 1));
    }
    long second = framed(2, 6);
    Path shard = DiskFeatureCache.directoryFor(root, FP_A).resolve("features-00000.shard");
    try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
      long at = second + 12 + 2 + 2 + 4 + 3; // inside k1's float16 values
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      assertArrayEquals(FeatureRecord.rounded(values(5, 1)), c.get("k0"));
      CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> c.get("k1"));
      assertEquals("features-00000.shard", e.shard());
      assertEquals(second, e.offset());
      assertTrue(e.getMessage().contains("data CRC mismatch"), e.getMessage());
      assertFalse(c.contains("k1"), "a corrupt record is forgotten");
      assertEquals(1, c.stats().corrupt());
      c.put("k1", values(6, 1));
      assertArrayEquals(FeatureRecord.rounded(values(6, 1)), c.get("k1"));
    }
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      assertArrayEquals(FeatureRecord.rounded(values(6, 1)), c.get("k1"), "the rewritten record wins");
      assertArrayEquals(FeatureRecord.rounded(values(7, 1)), c.get("k2"));
    }
  }

  @Test
  void aShardTornByACrashKeepsItsWholeRecordsAndDropsTheTornOne() throws IOException {
    Path crashed = root.resolve("crashed");
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      for (int i = 0; i < 3; i++) {
        c.put("c" + i, values(10 + i, 1));
      }
      c.commit();
      c.put("u3", values(13, 1));
      c.put("u4", values(14, 2));
      // The process dies here: its files as they are now, with the last record half written.
      copyTree(DiskFeatureCache.directoryFor(root, FP_A), DiskFeatureCache.directoryFor(crashed, FP_A));
    }
    Path dir = DiskFeatureCache.directoryFor(crashed, FP_A);
    Path shard = dir.resolve("features-00000.shard");
    long wholeFour = 4 * framed(2, 6);
    assertEquals(wholeFour + framed(2, 12), Files.size(shard));
    try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
      f.setLength(wholeFour + 20);
    }
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(crashed, SPEC)) {
      assertEquals(4, c.size(), "three committed records and one whole uncommitted one");
      assertNull(c.get("u4"));
    }
    assertEquals(wholeFour + 20, Files.size(shard), "a reader does not cut");
    try (DiskFeatureCache c = DiskFeatureCache.open(crashed, SPEC, OPTS)) {
      assertEquals(wholeFour, Files.size(shard), "the writer cuts the torn bytes off");
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(FeatureRecord.rounded(values(10 + i, 1)), c.get("c" + i));
      }
      assertArrayEquals(FeatureRecord.rounded(values(13, 1)), c.get("u3"));
      assertNull(c.get("u4"));
      c.put("u4", values(14, 2));
    }
    try (DiskFeatureCache c = DiskFeatureCache.open(crashed, SPEC, OPTS)) {
      assertEquals(5, c.size());
      assertArrayEquals(FeatureRecord.rounded(values(14, 2)), c.get("u4"));
    }
    // Cut inside the committed bytes (a damaged copy): the whole records before the cut survive.
    try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
      f.setLength(2 * framed(2, 6) + 7);
    }
    try (DiskFeatureCache c = DiskFeatureCache.open(crashed, SPEC, OPTS)) {
      assertEquals(2, c.size());
      assertArrayEquals(FeatureRecord.rounded(values(11, 1)), c.get("c1"));
      assertNull(c.get("c2"));
    }
  }

  @Test
  void aDamagedIndexIsRebuiltFromItsShardAndStrayFilesGo() throws IOException {
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      c.put("x", values(20, 1));
      c.put("y", values(21, 1));
    }
    Path dir = DiskFeatureCache.directoryFor(root, FP_A);
    Files.write(dir.resolve("features-00000.idx"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("features-00007.shard"), new byte[] {9});
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      assertArrayEquals(FeatureRecord.rounded(values(21, 1)), c.get("y"));
      assertFalse(Files.exists(dir.resolve("features-00007.shard")));
    }
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(root, SPEC)) {
      assertEquals(2, c.size(), "the rebuilt index was written back");
    }
  }

  @Test
  void aManifestMissingAfterAFirstWriteCrashLeavesAnEmptyCache() throws IOException {
    Path dir = DiskFeatureCache.directoryFor(root, FP_A);
    Files.createDirectories(dir);
    Files.write(dir.resolve("features-00000.shard"), new byte[100]);
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, OPTS)) {
      assertEquals(0, c.size());
      assertFalse(Files.exists(dir.resolve("features-00000.shard")), "the leftover was removed");
      c.put("z", values(30, 1));
      assertArrayEquals(FeatureRecord.rounded(values(30, 1)), c.get("z"));
    }
  }

  @Test
  void shardsRollOverAndAllStayReadable() {
    DiskFeatureCache.Options small = new DiskFeatureCache.Options(1024, 3);
    try (DiskFeatureCache c = DiskFeatureCache.open(root, SPEC, small)) {
      for (int i = 0; i < 40; i++) {
        c.put("r" + i, values(100 + i, 1));
      }
    }
    Path dir = DiskFeatureCache.directoryFor(root, FP_A);
    // 24 + 16 framing bytes of "rNN" records: 38 or 39 bytes each, at most 26 per 1024-byte shard.
    assertTrue(Files.exists(dir.resolve("features-00001.shard")));
    try (DiskFeatureCache c = DiskFeatureCache.openReadOnly(root, SPEC)) {
      assertEquals(40, c.size());
      for (int i = 0; i < 40; i++) {
        assertArrayEquals(FeatureRecord.rounded(values(100 + i, 1)), c.get("r" + i), "r" + i);
      }
    }
  }

  @Test
  void oneWriterPerDirectoryOthersRead() {
    try (DiskFeatureCache writer = DiskFeatureCache.open(root, SPEC, OPTS)) {
      writer.put("w", values(40, 1));
      writer.commit();
      try (DiskFeatureCache second = DiskFeatureCache.open(root, SPEC, OPTS)) {
        assertFalse(second.writable(), "the lock is held");
        assertArrayEquals(FeatureRecord.rounded(values(40, 1)), second.get("w"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.put("v", values(41, 1)));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
      }
    }
    try (DiskFeatureCache again = DiskFeatureCache.open(root, SPEC, OPTS)) {
      assertTrue(again.writable(), "closing released the lock");
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
