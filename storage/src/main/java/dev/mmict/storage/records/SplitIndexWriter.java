package dev.mmict.storage.records;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the location, id and group of every sample of one split while it is packed, then
 * writes the split's index file (layout in {@link SplitIndex} and the module README).
 */
final class SplitIndexWriter {

  private record Entry(int shard, long offset, int length, byte[] id, int groupOffset,
      int groupSize, int flags) {}

  private final String split;
  private final List<Entry> entries = new ArrayList<>();
  private final Map<Integer, Integer> groupOffsetByFirstMember = new HashMap<>();
  private int[] members = new int[16];
  private int memberCount;

  SplitIndexWriter(String split) {
    this.split = split;
  }

  /**
   * Records sample {@code index} (the next one: indices arrive in order).
   *
   * @param group the sample's group id, or null
   * @param groupIndices the split indices of its group, ascending, itself included
   */
  void add(int index, int shard, long offset, int length, String id, String group,
      boolean queryable, int[] groupIndices) {
    if (index != entries.size()) {
      throw new IllegalStateException("index " + index + " added after " + entries.size() + " entries");
    }
    if (Arrays.binarySearch(groupIndices, index) < 0) {
      throw new IllegalArgumentException(
          "Split " + split + ", sample " + index + " (" + id + "): its groupIndices "
              + Arrays.toString(groupIndices) + " do not contain it");
    }
    int groupOffset = 0;
    if (groupIndices.length > 1) {
      Integer known = groupOffsetByFirstMember.get(groupIndices[0]);
      if (known == null) {
        groupOffset = memberCount;
        appendMembers(groupIndices);
        groupOffsetByFirstMember.put(groupIndices[0], groupOffset);
      } else {
        groupOffset = known;
        if (known + groupIndices.length > memberCount
            || !Arrays.equals(members, known, known + groupIndices.length,
                groupIndices, 0, groupIndices.length)) {
          throw new IllegalArgumentException(
              "Split " + split + ", sample " + index + " (" + id + "): groupIndices "
                  + Arrays.toString(groupIndices) + " disagree with those of sample "
                  + groupIndices[0]);
        }
      }
    }
    int flags = (queryable ? SplitIndex.FLAG_QUERYABLE : 0) | (group != null ? SplitIndex.FLAG_GROUPED : 0);
    entries.add(new Entry(shard, offset, length, id.getBytes(StandardCharsets.UTF_8), groupOffset,
        groupIndices.length, flags));
  }

  private void appendMembers(int[] m) {
    while (memberCount + m.length > members.length) {
      members = Arrays.copyOf(members, members.length * 2);
    }
    System.arraycopy(m, 0, members, memberCount, m.length);
    memberCount += m.length;
  }

  /**
   * Writes the index to {@code file}, fsynced, and returns its sha256 (hex).
   *
   * @throws IllegalArgumentException if two samples of the split share an id
   */
  String write(Path file) throws IOException {
    int n = entries.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(entries.get(a).id(), entries.get(b).id()));
    for (int k = 1; k < n; k++) {
      if (Arrays.equals(entries.get(order[k - 1]).id(), entries.get(order[k]).id())) {
        throw new IllegalArgumentException("Split " + split + ": samples " + order[k - 1] + " and "
            + order[k] + " share the id '"
            + new String(entries.get(order[k]).id(), StandardCharsets.UTF_8) + "'");
      }
    }
    long idBytes = 0;
    for (Entry e : entries) {
      idBytes += e.id().length;
    }
    if (idBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Split " + split + ": ids take more than 2 GiB");
    }
    MessageDigest sha = Digests.sha256();
    try (FileOutputStream fileOut = new FileOutputStream(file.toFile());
        DigestOutputStream out =
            new DigestOutputStream(new BufferedOutputStream(fileOut, 1 << 16), sha)) {
      ByteBuffer b = ByteBuffer.allocate(SplitIndex.ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      b.put(SplitIndex.MAGIC).putInt(SplitIndex.VERSION).putInt(n).putInt(memberCount).putInt(0)
          .putLong(idBytes);
      out.write(b.array(), 0, SplitIndex.HEADER_BYTES);
      int idOffset = 0;
      for (Entry e : entries) {
        b.clear();
        b.putLong(e.offset()).putInt(e.shard()).putInt(e.length()).putInt(idOffset)
            .putInt(e.id().length).putInt(e.groupOffset()).putInt(e.groupSize()).putInt(e.flags())
            .putInt(0);
        out.write(b.array(), 0, SplitIndex.ENTRY_BYTES);
        idOffset += e.id().length;
      }
      writeInts(out, order.length, k -> order[k]);
      writeInts(out, memberCount, k -> members[k]);
      for (Entry e : entries) {
        out.write(e.id());
      }
      out.flush();
      fileOut.getChannel().force(true);
    }
    return Digests.hex(sha.digest());
  }

  private static void writeInts(java.io.OutputStream out, int count,
      java.util.function.IntUnaryOperator value) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < count; k++) {
      out.write(b.putInt(0, value.applyAsInt(k)).array());
    }
  }
}
