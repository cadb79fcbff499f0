package dev.mmict.storage.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected bytes come from an independent bitwise CRC32C (polynomial 0x82F63B78) in Python. */
class RecordFramingTest {

  @TempDir Path dir;

  @Test
  void crc32cMatchesTheStandardCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, RecordFraming.crc32c(check, 0, check.length));
  }

  @Test
  void maskRotatesRightBy15AndAddsTheDelta() {
    assertEquals(0xa282ead8, RecordFraming.mask(0));
    // 0x8000 >>> 15 = 1; 0x8000 << 17 overflows to 0.
    assertEquals(0xa282ead9, RecordFraming.mask(0x8000));
    for (int crc : new int[] {0, 1, 0x8000, 0xE3069283, -1, 0x12345678}) {
      assertEquals(crc, RecordFraming.unmask(RecordFraming.mask(crc)));
    }
  }

  @Test
  void recordsAreFramedByteForByteLikeTfRecord() throws IOException {
    Path shard = dir.resolve("s.rec");
    try (ShardWriter w = new ShardWriter(shard)) {
      assertEquals(0, w.append(new byte[0]));
      assertEquals(16, w.append("abc".getBytes(StandardCharsets.US_ASCII)));
      w.finish();
    }
    byte[] expected = {
      0, 0, 0, 0, 0, 0, 0, 0, // length 0
      0x29, 0x03, (byte) 0x98, 0x07, // masked CRC32C of the 8 length bytes: 0x07980329
      (byte) 0xd8, (byte) 0xea, (byte) 0x82, (byte) 0xa2, // masked CRC of no data: the delta
      3, 0, 0, 0, 0, 0, 0, 0, // length 3
      (byte) 0xb0, (byte) 0x99, 0x49, 0x0e, // 0x0e4999b0
      'a', 'b', 'c',
      0x6e, 0x57, (byte) 0xf1, 0x21, // 0x21f1576e
    };
    assertArrayEquals(expected, Files.readAllBytes(shard));
    List<String> seen = new ArrayList<>();
    assertEquals(2, ShardReader.scan(shard,
        (offset, data) -> seen.add(offset + ":" + new String(data, StandardCharsets.US_ASCII))));
    assertEquals(List.of("0:", "16:abc"), seen);
  }

  @Test
  void truncatedShardFailsAtTheLastRecordsOffset() throws IOException {
    Path shard = dir.resolve("t.rec");
    try (ShardWriter w = new ShardWriter(shard)) {
      w.append(new byte[] {1, 2, 3});
      w.append(new byte[] {4, 5, 6, 7});
      w.finish();
    }
    try (FileChannel c = FileChannel.open(shard, StandardOpenOption.WRITE)) {
      c.truncate(c.size() - 2);
    }
    CorruptRecordException e = assertThrows(CorruptRecordException.class,
        () -> ShardReader.scan(shard, (offset, data) -> {}));
    assertEquals("t.rec", e.shard());
    assertEquals(19, e.offset()); // 12 + 3 + 4
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }
}
