package dev.mmict.hub.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to its dtype, shape and data offsets (plus an optional
 * {@code __metadata__} string map), then the raw little-endian data.
 *
 * <p>Reading validates the whole directory up front, as the reference Rust implementation does:
 * offsets must tile the data section exactly (no overlap, no hole, no trailing bytes) and each
 * tensor's byte length must equal its element count times its dtype size.
 */
public final class Safetensors {
  private static final Logger LOG = LoggerFactory.getLogger(Safetensors.class);
  /** Largest header accepted: guards against allocating a garbage length (same limit as Rust). */
  static final long MAX_HEADER_BYTES = 100L << 20;
  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Safetensors() {
  }

  /** Reads and validates the header of {@code path}; tensor data is read on demand. */
  public static SafetensorsFile read(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new SafetensorsException(path, "truncated: " + size
            + " bytes, fewer than the 8-byte header length");
      }
      ByteBuffer lenBuf = readFully(ch, 0, 8, path).order(ByteOrder.LITTLE_ENDIAN);
      long headerLen = lenBuf.getLong(0);
      if (headerLen < 0 || headerLen > size - 8) {
        throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLen)
            + " is beyond the file size (" + size + " bytes)");
      }
      if (headerLen > MAX_HEADER_BYTES) {
        throw new SafetensorsException(path, "header length " + headerLen
            + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
      }
      ByteBuffer headerBuf = readFully(ch, 8, (int) headerLen, path);
      String header = StandardCharsets.UTF_8.decode(headerBuf).toString();
      long dataStart = 8 + headerLen;
      return parseHeader(path, header, dataStart, size - dataStart);
    }
  }

  private static ByteBuffer readFully(FileChannel ch, long pos, int n, Path path) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        throw new SafetensorsException(path, "truncated while reading the header");
      }
    }
    return buf.flip();
  }

  private static SafetensorsFile parseHeader(Path path, String header, long dataStart,
      long dataLength) throws SafetensorsException {
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      throw new SafetensorsException(path, "malformed JSON header: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsException(path, "malformed JSON header: not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, SafetensorsFile.Entry> entries = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata.putAll(parseMetadata(path, field.getValue()));
      } else {
        entries.put(field.getKey(), parseEntry(path, field.getKey(), field.getValue()));
      }
    }
    checkTiling(path, entries, dataLength);
    return new SafetensorsFile(path, dataStart, metadata, entries);
  }

  private static Map<String, String> parseMetadata(Path path, JsonNode node)
      throws SafetensorsException {
    if (!node.isObject()) {
      throw new SafetensorsException(path, "malformed JSON header: " + METADATA_KEY
          + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> kv : node.properties()) {
      if (!kv.getValue().isTextual()) {
        throw new SafetensorsException(path, "malformed JSON header: " + METADATA_KEY + " entry '"
            + kv.getKey() + "' is not a string");
      }
      out.put(kv.getKey(), kv.getValue().textValue());
    }
    return out;
  }

  private static SafetensorsFile.Entry parseEntry(Path path, String name, JsonNode node)
      throws SafetensorsException {
    String where = "malformed JSON header: tensor '" + name + "' ";
    if (!node.isObject()) {
      throw new SafetensorsException(path, where + "is not an object");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new SafetensorsException(path, where + "has no string 'dtype'");
    }
    SafetensorsDtype dtype = SafetensorsDtype.parse(dtypeNode.textValue()).orElseThrow(
        () -> new SafetensorsException(path, "tensor '" + name + "' has unknown dtype '"
            + dtypeNode.textValue() + "' (supported: F16, BF16, F32, F64, I32, I64)"));
    long[] dims = nonNegativeLongs(path, where, node.get("shape"), "shape", -1);
    long[] offsets = nonNegativeLongs(path, where, node.get("data_offsets"), "data_offsets", 2);
    if (offsets[1] < offsets[0]) {
      throw new SafetensorsException(path, "tensor '" + name + "' has data_offsets ["
          + offsets[0] + ", " + offsets[1] + "] that end before they begin");
    }
    long expectedBytes;
    try {
      long n = 1;
      for (long d : dims) {
        n = Math.multiplyExact(n, d);
      }
      expectedBytes = Math.multiplyExact(n, dtype.bytes());
    } catch (ArithmeticException e) {
      throw new SafetensorsException(path, "tensor '" + name + "' has a shape too large: "
          + java.util.Arrays.toString(dims), e);
    }
    if (offsets[1] - offsets[0] != expectedBytes) {
      throw new SafetensorsException(path, "tensor '" + name + "' has data_offsets ["
          + offsets[0] + ", " + offsets[1] + "] spanning " + (offsets[1] - offsets[0])
          + " bytes, but shape " + java.util.Arrays.toString(dims) + " of " + dtype + " needs "
          + expectedBytes);
    }
    return new SafetensorsFile.Entry(name, dtype, new Shape(dims), offsets[0], offsets[1]);
  }

  private static long[] nonNegativeLongs(Path path, String where, JsonNode node, String key,
      int expectedLength) throws SafetensorsException {
    if (node == null || !node.isArray()
        || (expectedLength >= 0 && node.size() != expectedLength)) {
      throw new SafetensorsException(path, where + "has no '" + key + "' array"
          + (expectedLength >= 0 ? " of " + expectedLength + " integers" : ""));
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new SafetensorsException(path, where + "has '" + key
            + "' entries that are not non-negative integers: " + node);
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** Offsets must cover [0, dataLength) exactly once, in some order. */
  private static void checkTiling(Path path, Map<String, SafetensorsFile.Entry> entries,
      long dataLength) throws SafetensorsException {
    List<SafetensorsFile.Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.comparingLong(SafetensorsFile.Entry::begin)
        .thenComparingLong(SafetensorsFile.Entry::end));
    long cursor = 0;
    SafetensorsFile.Entry previous = null;
    for (SafetensorsFile.Entry e : sorted) {
      if (e.end() > dataLength) {
        throw new SafetensorsException(path, "tensor '" + e.name() + "' has data_offsets ["
            + e.begin() + ", " + e.end() + "] beyond the data section (" + dataLength
            + " bytes; truncated file?)");
      }
      if (e.begin() < cursor) {
        throw new SafetensorsException(path, "tensor '" + e.name() + "' data_offsets ["
            + e.begin() + ", " + e.end() + "] overlap tensor '" + previous.name() + "' ["
            + previous.begin() + ", " + previous.end() + "]");
      }
      if (e.begin() > cursor) {
        throw new SafetensorsException(path, "unused bytes [" + cursor + ", " + e.begin()
            + ") before tensor '" + e.name() + "' in the data section");
      }
      cursor = e.end();
      previous = e;
    }
    if (cursor != dataLength) {
      throw new SafetensorsException(path, "the data section has " + dataLength
          + " bytes but the tensors cover only " + cursor);
    }
  }

  /** Writes {@code tensors} with floating tensors as F32; see {@link #write(Path, Map, Map, SafetensorsDtype)}. */
  public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    write(path, tensors, metadata, SafetensorsDtype.F32);
  }

  /**
   * Writes {@code tensors} (sorted by name) and {@code metadata} to {@code path} atomically: into
   * a temporary file in the same directory, forced to disk, then renamed over {@code path}.
   *
   * @param floatDtype the dtype every floating tensor is stored as (F16, BF16, F32 or F64);
   *     INT32 and INT64 tensors keep their type
   * @throws IllegalArgumentException for a non-floating {@code floatDtype}, a tensor named
   *     {@code __metadata__}, or a tensor of another data type
   */
  public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata,
      SafetensorsDtype floatDtype) throws IOException {
    if (!floatDtype.floating()) {
      throw new IllegalArgumentException("floatDtype must be a floating dtype, got " + floatDtype);
    }
    Map<String, NDArray> sorted = new TreeMap<>(tensors);
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA_KEY);
      new TreeMap<>(metadata).forEach(meta::put);
    }
    Map<String, SafetensorsDtype> dtypes = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
      String name = e.getKey();
      if (name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException(path + ": a tensor may not be named " + METADATA_KEY);
      }
      SafetensorsDtype dtype = storedDtype(path, name, e.getValue().getDataType(), floatDtype);
      dtypes.put(name, dtype);
      long bytes = e.getValue().size() * dtype.bytes();
      ObjectNode entry = header.putObject(name);
      entry.put("dtype", dtype.name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : e.getValue().getShape().getShape()) {
        shape.add(d);
      }
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // keep the data 8-byte aligned
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();

    Path dir = path.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(ch, head);
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
          writeFully(ch, encode(e.getValue(), dtypes.get(e.getKey())));
        }
        ch.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
      syncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private static SafetensorsDtype storedDtype(Path path, String name, DataType type,
      SafetensorsDtype floatDtype) {
    return switch (type) {
      case FLOAT16, BFLOAT16, FLOAT32, FLOAT64 -> floatDtype;
      case INT32 -> SafetensorsDtype.I32;
      case INT64 -> SafetensorsDtype.I64;
      default -> throw new IllegalArgumentException(path + ": tensor '" + name + "' has data type "
          + type + "; only floating, INT32 and INT64 tensors can be written");
    };
  }

  private static ByteBuffer encode(NDArray a, SafetensorsDtype dtype) {
    int n = Math.toIntExact(a.size());
    ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(n, dtype.bytes()))
        .order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case I64 -> buf.asLongBuffer().put(a.toLongArray());
      case I32 -> buf.asIntBuffer().put(a.toIntArray());
      case F64 -> buf.asDoubleBuffer().put(doubles(a));
      case F32 -> buf.asFloatBuffer().put(floats(a));
      case F16 -> {
        for (float f : floats(a)) {
          buf.putShort(HalfPrecision.floatToHalf(f));
        }
      }
      case BF16 -> {
        for (float f : floats(a)) {
          buf.putShort(HalfPrecision.floatToBfloat16(f));
        }
      }
    }
    buf.position(0);
    return buf;
  }

  private static float[] floats(NDArray a) {
    if (a.getDataType() == DataType.FLOAT32) {
      return a.toFloatArray();
    }
    try (NDArray f = a.toType(DataType.FLOAT32, true)) {
      return f.toFloatArray();
    }
  }

  private static double[] doubles(NDArray a) {
    if (a.getDataType() == DataType.FLOAT64) {
      return a.toDoubleArray();
    }
    try (NDArray d = a.toType(DataType.FLOAT64, true)) {
      return d.toDoubleArray();
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Makes the rename durable; not every platform can open a directory for this. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.warn("could not fsync directory {} after an atomic rename: {}", dir, e.toString());
    }
  }
}
