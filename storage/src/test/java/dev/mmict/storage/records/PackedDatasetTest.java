package dev.mmict.storage.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackedDatasetTest {

  /** About three 32×32 RGB records per shard. */
  private static final long SMALL_SHARDS = 10_000;

  @TempDir Path tmp;

  private Path pack(Dataset data, PackOptions options) throws IOException {
    Path out = tmp.resolve("packed");
    RecordPacker.pack(data, out, options);
    return out;
  }

  private static PackOptions small() {
    return PackOptions.defaults().withMaxShardBytes(SMALL_SHARDS);
  }

  private static void assertSameDataset(Dataset expected, PackedDataset actual, PixelEncoding enc) {
    assertEquals(expected.name(), actual.name());
    assertEquals(expected.splits(), actual.splits());
    for (String split : expected.splits()) {
      assertEquals(expected.size(split), actual.size(split), split);
      for (int i = 0; i < expected.size(split); i++) {
        Sample original = expected.get(split, i);
        assertEquals(SampleRecords.asStored(original, enc), actual.get(split, i), split + " " + i);
        assertEquals(original.id(), actual.id(split, i));
        assertEquals(original.queryable(), actual.isQueryable(split, i));
        assertArrayEquals(expected.groupIndices(split, i), actual.groupIndices(split, i),
            split + " " + i);
      }
    }
  }

  @Test
  void everySampleReadsBackAsQuantisedAndShardsRespectTheLimit() throws IOException {
    Dataset data = TinyTasks.caption();
    Path out = pack(data, small());
    try (PackedDataset packed = PackedDataset.open(out)) {
      assertSameDataset(data, packed, PixelEncoding.UINT8);
      // Noise makes the floats differ from their 8-bit versions: quantisation really happened.
      assertNotEquals(data.get("train", 0), packed.get("train", 0));
      float[] p = packed.get("train", 0).frames().get(0).pixels();
      for (float v : p) {
        float q = Math.round(v * 255f) / 255f;
        assertEquals(q, v, "a stored value is k / 255");
      }
      Manifest m = packed.manifest();
      Manifest.SplitEntry train = m.split("train");
      assertEquals(12, train.count());
      assertEquals(Map.of("tiny-caption", 12), train.tasks());
      assertTrue(train.shards().size() >= 3, "shards " + train.shards().size());
      int n = train.shards().size();
      for (int s = 0; s < n; s++) {
        Manifest.ShardEntry shard = train.shards().get(s);
        assertEquals(String.format("train-%05d-of-%05d.rec", s, n), shard.file());
        assertTrue(shard.bytes() <= SMALL_SHARDS, shard.file() + " has " + shard.bytes());
        assertEquals(Files.size(out.resolve(shard.file())), shard.bytes());
      }
      assertEquals("uint8", m.pixelEncoding());
      assertEquals(Manifest.FORMAT_VERSION, m.formatVersion());
      assertFalse(m.toolVersion().contains("${"), m.toolVersion());
      packed.verify();
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(out), files.toList(), "no temporary directory left beside the pack");
    }
  }

  @Test
  void float32PacksRoundTripExactly() throws IOException {
    Dataset data = TinyTasks.caption();
    Path out = pack(data, small().withPixelEncoding(PixelEncoding.FLOAT32));
    try (PackedDataset packed = PackedDataset.open(out)) {
      for (String split : data.splits()) {
        for (int i = 0; i < data.size(split); i++) {
          assertEquals(data.get(split, i), packed.get(split, i));
        }
      }
      assertEquals("float32", packed.manifest().pixelEncoding());
    }
  }

  @Test
  void groupedDatasetKeepsGroupsQueryabilityAndAnswersByIndexAlone() throws IOException {
    Dataset data = TinyTasks.binding();
    Path out = pack(data, small());
    try (PackedDataset packed = PackedDataset.open(out)) {
      assertSameDataset(data, packed, PixelEncoding.UINT8);
      // The last sample of a dialog is its query; its group is the whole dialog.
      int[] group = packed.groupIndices("val", 0);
      assertTrue(group.length >= 5, "2..3 ways × 2 shots + 1: " + group.length);
      int last = group[group.length - 1];
      assertTrue(packed.isQueryable("val", last));
      assertFalse(packed.isQueryable("val", 0));
      assertEquals("val/d0", packed.get("val", last).group());
    }
  }

  @Test
  void samplesAreFoundByIdInAnySplit() throws IOException {
    Dataset data = TinyTasks.binding();
    try (PackedDataset packed = PackedDataset.open(pack(data, small()))) {
      for (String split : data.splits()) {
        for (int i = data.size(split) - 1; i >= 0; i -= 3) {
          String id = data.id(split, i);
          assertEquals(new PackedDataset.Location(split, i), packed.locate(id).orElseThrow());
          assertEquals(SampleRecords.asStored(data.get(split, i), PixelEncoding.UINT8), packed.get(id));
        }
      }
      assertTrue(packed.locate("tiny-binding/val/d99/0").isEmpty());
      assertThrows(IllegalArgumentException.class, () -> packed.get("nope"));
    }
  }

  /** The data length of the first record of {@code shard}, from its first 8 bytes. */
  private static long firstLength(Path shard) throws IOException {
    byte[] head = new byte[8];
    try (FileChannel c = FileChannel.open(shard)) {
      c.read(ByteBuffer.wrap(head), 0);
    }
    return ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      c.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      c.write(b, position);
    }
  }

  @Test
  void flippedDataByteIsReportedWithShardAndOffset() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    String shard = "train-00000-of-00004.rec";
    long second = RecordFraming.framedSize(firstLength(out.resolve(shard)));
    flipByte(out.resolve(shard), second + RecordFraming.HEADER_BYTES + 100);
    try (PackedDataset packed = PackedDataset.open(out)) {
      packed.get("train", 0); // the first record is intact
      CorruptRecordException e =
          assertThrows(CorruptRecordException.class, () -> packed.get("train", 1));
      assertEquals(shard, e.shard());
      assertEquals(second, e.offset());
      assertTrue(e.getMessage().contains("data CRC"), e.getMessage());
      InvalidPackException v = assertThrows(InvalidPackException.class, packed::verify);
      assertEquals(shard, v.file());
    }
  }

  @Test
  void corruptedLengthIsReportedWithShardAndOffset() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    String shard = "train-00001-of-00004.rec";
    long second = RecordFraming.framedSize(firstLength(out.resolve(shard)));
    flipByte(out.resolve(shard), second + 1); // the length's second byte
    try (PackedDataset packed = PackedDataset.open(out)) {
      int firstOfShard1 = packed.manifest().split("train").shards().get(0).records();
      CorruptRecordException e = assertThrows(CorruptRecordException.class,
          () -> packed.get("train", firstOfShard1 + 1));
      assertEquals(shard, e.shard());
      assertEquals(second, e.offset());
      assertTrue(e.getMessage().contains("length CRC"), e.getMessage());
    }
  }

  @Test
  void truncatedShardIsRefusedOnOpenAndByAScan() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    Path shard = out.resolve("val-00000-of-00001.rec");
    long size = Files.size(shard);
    try (FileChannel c = FileChannel.open(shard, StandardOpenOption.WRITE)) {
      c.truncate(size - 5);
    }
    InvalidPackException e = assertThrows(InvalidPackException.class, () -> PackedDataset.open(out));
    assertEquals("val-00000-of-00001.rec", e.file());
    assertTrue(e.getMessage().contains((size - 5) + " bytes"), e.getMessage());
    List<Long> ends = new ArrayList<>();
    CorruptRecordException c = assertThrows(CorruptRecordException.class, () -> ShardReader.scan(
        shard, (offset, data) -> ends.add(offset + RecordFraming.framedSize(data.length))));
    assertEquals(2, ends.size(), "val holds 3 records; the first two are intact");
    assertEquals("val-00000-of-00001.rec", c.shard());
    assertEquals(ends.get(1), c.offset(), "the third record starts where the second ends");
  }

  @Test
  void tamperedManifestHashFailsVerifyNamingTheFile() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    Path manifest = out.resolve(Manifest.FILE_NAME);
    String json = Files.readString(manifest, StandardCharsets.UTF_8);
    String sha;
    try (PackedDataset packed = PackedDataset.open(out)) {
      sha = packed.manifest().split("test").shards().get(0).sha256();
    }
    String zeros = "0".repeat(64);
    Files.writeString(manifest, json.replace(sha, zeros), StandardCharsets.UTF_8);
    try (PackedDataset packed = PackedDataset.open(out)) { // sizes still match
      InvalidPackException e = assertThrows(InvalidPackException.class, packed::verify);
      assertEquals("test-00000-of-00001.rec", e.file());
      assertTrue(e.getMessage().contains(sha) && e.getMessage().contains(zeros), e.getMessage());
    }
  }

  @Test
  void manifestWithAForeignVersionOrAPathOutsideThePackIsRefused() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    Path manifest = out.resolve(Manifest.FILE_NAME);
    String json = Files.readString(manifest, StandardCharsets.UTF_8);
    Files.writeString(manifest, json.replace("\"format_version\" : 1", "\"format_version\" : 2"));
    InvalidPackException e = assertThrows(InvalidPackException.class, () -> PackedDataset.open(out));
    assertEquals(Manifest.FILE_NAME, e.file());
    assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    Files.writeString(manifest, json.replace("\"val.idx\"", "\"../val.idx\""));
    e = assertThrows(InvalidPackException.class, () -> PackedDataset.open(out));
    assertTrue(e.getMessage().contains("'../val.idx'"), e.getMessage());
  }

  @Test
  void failingPackLeavesNothingVisible() throws IOException {
    Path out = tmp.resolve("packed");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RecordPacker.pack(TinyTasks.failingAt(TinyTasks.caption(), "val", 2), out, small()));
    assertTrue(e.getMessage().contains("simulated crash"), e.getMessage());
    assertFalse(Files.exists(out));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(), files.toList(), "the temporary directory was removed");
    }
  }

  @Test
  void failingOverwriteKeepsTheOldPack() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    assertThrows(IllegalStateException.class, () -> RecordPacker.pack(
        TinyTasks.failingAt(TinyTasks.binding(), "test", 0), out, small().withOverwrite(true)));
    try (PackedDataset packed = PackedDataset.open(out)) {
      assertEquals("tiny-caption", packed.name());
      packed.verify();
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(out), files.toList());
    }
  }

  @Test
  void refusesToOverwriteUnlessAsked() throws IOException {
    Path out = pack(TinyTasks.caption(), small());
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> RecordPacker.pack(TinyTasks.binding(), out, small()));
    assertTrue(e.getMessage().contains("overwrite"), e.getMessage());
    try (PackedDataset packed = PackedDataset.open(out)) {
      assertEquals("tiny-caption", packed.name());
    }
    RecordPacker.pack(TinyTasks.binding(), out, small().withOverwrite(true));
    try (PackedDataset packed = PackedDataset.open(out)) {
      assertEquals("tiny-binding", packed.name());
      packed.verify();
      // The directory holds exactly the new manifest's files: nothing of the caption pack.
      Set<String> listed = new HashSet<>(Set.of(Manifest.FILE_NAME));
      for (Manifest.SplitEntry s : packed.manifest().splits()) {
        listed.add(s.index().file());
        s.shards().forEach(sh -> listed.add(sh.file()));
      }
      try (Stream<Path> files = Files.list(out)) {
        assertEquals(listed, files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
      }
    }
    // An existing empty directory is fine without overwrite.
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    RecordPacker.pack(TinyTasks.caption(), empty, small());
    assertTrue(Files.exists(empty.resolve(Manifest.FILE_NAME)));
  }

  @Test
  void progressSeesEverySampleAndShard() throws IOException {
    List<String> shards = new ArrayList<>();
    long[] last = {0, 0};
    PackProgress progress = new PackProgress() {
      @Override
      public void sampleWritten(String split, long done, long total) {
        assertEquals(last[0] + 1, done);
        last[0] = done;
        last[1] = total;
      }

      @Override
      public void shardFinished(String file, long bytes, int records) {
        shards.add(file);
      }
    };
    Manifest m = RecordPacker.pack(TinyTasks.caption(), tmp.resolve("p"), small().withProgress(progress));
    assertEquals(17, last[0]);
    assertEquals(17, last[1]);
    List<String> expected = new ArrayList<>();
    for (Manifest.SplitEntry s : m.splits()) {
      s.shards().forEach(sh -> expected.add(sh.file()));
    }
    assertEquals(expected, shards);
  }

  @Test
  void inspectCountsSplitsAndShowsFirstSamples() throws IOException {
    Dataset data = TinyTasks.binding();
    try (PackedDataset packed = PackedDataset.open(pack(data, small()))) {
      DatasetInspector.Inspection in = DatasetInspector.inspect(packed, 2);
      assertEquals(List.of("train", "val", "test"),
          in.splits().stream().map(DatasetInspector.SplitSummary::split).toList());
      DatasetInspector.SplitSummary val = in.splits().get(1);
      assertEquals(data.size("val"), val.count());
      assertEquals(Map.of("tiny-binding", data.size("val")), val.tasks());
      assertEquals(2, val.first().size());
      String text = in.toText();
      assertTrue(text.contains("split val: " + data.size("val") + " samples, tiny-binding "
          + data.size("val")), text);
      assertTrue(text.contains(data.id("test", 1)), text);
      assertTrue(text.contains(data.get("train", 0).text()), text);
      assertFalse(text.contains(data.id("test", 2)), text);
    }
  }
}
