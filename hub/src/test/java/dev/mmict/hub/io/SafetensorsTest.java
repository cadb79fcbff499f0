package dev.mmict.hub.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir
  Path dir;
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static final float[] FLOATS = {1.0f, -2.5f, 65504f, 0x1p-24f, 0f, -0f, 0.1f, 3e-3f};

  private Map<String, NDArray> sample() {
    Map<String, NDArray> t = new LinkedHashMap<>();
    t.put("b.floats", manager.create(FLOATS, new Shape(2, 4)));
    t.put("a.longs", manager.create(new long[] {-100, 0, 1L << 40}, new Shape(3)));
    t.put("c.ints", manager.create(new int[] {7, -7}, new Shape(1, 2)));
    t.put("d.scalar", manager.create(new float[] {42f}, new Shape()));
    t.put("e.empty", manager.create(new float[0], new Shape(0, 3)));
    return t;
  }

  @Test
  void roundTripF32KeepsValuesShapesAndMetadata() throws IOException {
    Path p = dir.resolve("m.safetensors");
    Safetensors.write(p, sample(), Map.of("hidden_size", "32", "note", "tiny"));
    SafetensorsFile f = Safetensors.read(p);
    assertEquals(Map.of("hidden_size", "32", "note", "tiny"), f.metadata());
    assertEquals(java.util.List.of("a.longs", "b.floats", "c.ints", "d.scalar", "e.empty"), f.names());
    assertEquals(SafetensorsDtype.F32, f.entry("b.floats").dtype());
    assertEquals(new Shape(2, 4), f.entry("b.floats").shape());
    assertArrayEquals(FLOATS, f.floats("b.floats"));
    assertEquals(SafetensorsDtype.I64, f.entry("a.longs").dtype());
    assertArrayEquals(new long[] {-100, 0, 1L << 40}, f.longs("a.longs"));
    assertEquals(SafetensorsDtype.I32, f.entry("c.ints").dtype());
    assertArrayEquals(new int[] {7, -7}, f.ints("c.ints"));
    assertArrayEquals(new long[] {7, -7}, f.longs("c.ints"));
    assertEquals(new Shape(), f.entry("d.scalar").shape());
    assertArrayEquals(new float[] {42f}, f.floats("d.scalar"));
    assertEquals(0, f.floats("e.empty").length);

    NDArray floats = f.load(manager, "b.floats", new Shape(2, 4));
    assertEquals(DataType.FLOAT32, floats.getDataType());
    assertEquals("b.floats", floats.getName());
    assertArrayEquals(FLOATS, floats.toFloatArray());
    NDArray longs = f.load(manager, "a.longs");
    assertEquals(DataType.INT64, longs.getDataType());
    assertArrayEquals(new long[] {-100, 0, 1L << 40}, longs.toLongArray());
    assertEquals(DataType.INT32, f.load(manager, "c.ints").getDataType());

    Map<String, NDArray> some = f.loadAll(manager, n -> !n.startsWith("a."));
    assertEquals(java.util.List.of("b.floats", "c.ints", "d.scalar", "e.empty"),
        java.util.List.copyOf(some.keySet()));
  }

  @Test
  void headerIsPaddedSoDataIsEightByteAligned() throws IOException {
    Path p = dir.resolve("m.safetensors");
    Safetensors.write(p, sample(), Map.of());
    byte[] bytes = Files.readAllBytes(p);
    long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8);
    String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
    assertFalse(header.contains("__metadata__"), "empty metadata is omitted");
    assertTrue(Safetensors.read(p).metadata().isEmpty());
  }

  @Test
  void roundTripF16StoresExactHalfBits() throws IOException {
    Path p = dir.resolve("h.safetensors");
    float[] values = {1.0f, -2.5f, 65504f, 0x1p-24f, Float.NaN, Float.POSITIVE_INFINITY, 1e6f, 0.1f};
    Safetensors.write(p, Map.of("x", manager.create(values, new Shape(8)),
        "ids", manager.create(new long[] {5}, new Shape(1))), Map.of(), SafetensorsDtype.F16);
    SafetensorsFile f = Safetensors.read(p);
    assertEquals(SafetensorsDtype.F16, f.entry("x").dtype());
    assertEquals(SafetensorsDtype.I64, f.entry("ids").dtype(), "integers keep their type");
    short[] raw = rawShorts(p, f.entry("x"));
    assertArrayEquals(new short[] {0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x7E00, 0x7C00, 0x7C00,
        0x2E66}, raw);
    float[] back = f.floats("x");
    assertArrayEquals(new float[] {1.0f, -2.5f, 65504f, 0x1p-24f}, Arrays.copyOf(back, 4));
    assertTrue(Float.isNaN(back[4]));
    assertEquals(Float.POSITIVE_INFINITY, back[5]);
    assertEquals(Float.POSITIVE_INFINITY, back[6], "1e6 overflows half");
    assertEquals(0.0999755859375f, back[7]);
    NDArray loaded = f.load(manager, "x");
    assertEquals(DataType.FLOAT32, loaded.getDataType(), "F16 is widened to float32");
  }

  @Test
  void roundTripBf16StoresExactBits() throws IOException {
    Path p = dir.resolve("b.safetensors");
    float[] values = {1.0f, -2.5f, 65504f, Float.NaN, Float.NEGATIVE_INFINITY, 1f / 3f};
    Safetensors.write(p, Map.of("x", manager.create(values, new Shape(2, 3))), Map.of("k", "v"),
        SafetensorsDtype.BF16);
    SafetensorsFile f = Safetensors.read(p);
    assertEquals(SafetensorsDtype.BF16, f.entry("x").dtype());
    assertArrayEquals(new short[] {0x3F80, (short) 0xC020, 0x4780, 0x7FC0, (short) 0xFF80, 0x3EAB},
        rawShorts(p, f.entry("x")));
    float[] back = f.floats("x");
    assertEquals(65536f, back[2]);
    assertTrue(Float.isNaN(back[3]));
    assertEquals(Float.intBitsToFloat(0x3EAB0000), back[5]);
  }

  @Test
  void roundTripF64AndFloat64Arrays() throws IOException {
    Path p = dir.resolve("d.safetensors");
    double[] values = {Math.PI, -1e-300, 1e300};
    Safetensors.write(p, Map.of("d", manager.create(values, new Shape(3)),
        "f", manager.create(new float[] {0.1f}, new Shape(1))), Map.of(), SafetensorsDtype.F64);
    SafetensorsFile f = Safetensors.read(p);
    assertEquals(SafetensorsDtype.F64, f.entry("f").dtype());
    assertArrayEquals(values, f.doubles("d"));
    assertEquals((double) 0.1f, f.doubles("f")[0]);
    assertEquals((float) Math.PI, f.floats("d")[0]);
    assertEquals(DataType.FLOAT64, f.load(manager, "d").getDataType());
  }

  @Test
  void float32ArraysWrittenAsF32FromFloat64Input() throws IOException {
    Path p = dir.resolve("x.safetensors");
    Safetensors.write(p, Map.of("d", manager.create(new double[] {0.5, 1.0 / 3}, new Shape(2))),
        Map.of());
    assertArrayEquals(new float[] {0.5f, (float) (1.0 / 3)}, Safetensors.read(p).floats("d"));
  }

  @Test
  void writeReplacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
    Path p = dir.resolve("w.safetensors");
    Safetensors.write(p, Map.of("x", manager.create(new float[] {1f}, new Shape(1))), Map.of());
    Safetensors.write(p, Map.of("y", manager.create(new float[] {2f}, new Shape(1))), Map.of());
    assertEquals(java.util.List.of("y"), Safetensors.read(p).names());
    NDArray bool = manager.create(new boolean[] {true});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(p, Map.of("z", bool), Map.of()));
    assertTrue(e.getMessage().contains("'z'"), e.getMessage());
    assertEquals(java.util.List.of("y"), Safetensors.read(p).names(), "failed write kept the file");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(java.util.List.of(p), files.toList());
    }
    assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(p, Map.of(), Map.of(), SafetensorsDtype.I64));
  }

  // ---- malformed files -------------------------------------------------------------------

  private Path raw(String header, int dataBytes) throws IOException {
    return rawWithLength(header, header.getBytes(StandardCharsets.UTF_8).length, dataBytes);
  }

  private Path rawWithLength(String header, long declaredLength, int dataBytes) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength).put(h);
    Path p = dir.resolve("bad.safetensors");
    Files.write(p, b.array());
    return p;
  }

  private static String messageOf(IOException e) {
    return e.getMessage();
  }

  private void assertReadFails(Path p, String... fragments) {
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(p));
    String m = messageOf(e);
    assertTrue(m.startsWith(p.toString()), "message names the file: " + m);
    for (String fragment : fragments) {
      assertTrue(m.contains(fragment), "message '" + m + "' should contain '" + fragment + "'");
    }
  }

  @Test
  void truncatedBeforeTheHeaderLength() throws IOException {
    Path p = dir.resolve("short.safetensors");
    Files.write(p, new byte[] {1, 0, 0});
    assertReadFails(p, "truncated", "3 bytes");
  }

  @Test
  void headerLengthBeyondFileSize() throws IOException {
    assertReadFails(rawWithLength("{}", 1000, 0), "header length 1000", "beyond the file size");
    assertReadFails(rawWithLength("{}", -1, 0), "header length 18446744073709551615");
  }

  @Test
  void malformedJson() throws IOException {
    assertReadFails(raw("{\"x\": {", 0), "malformed JSON header");
    assertReadFails(raw("[1, 2]", 0), "malformed JSON header", "not a JSON object");
    assertReadFails(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "'x'", "data_offsets");
    assertReadFails(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
        "'x'", "shape");
    assertReadFails(raw("{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'x'", "dtype");
    assertReadFails(raw("{\"__metadata__\":{\"a\":1}}", 0), "__metadata__", "'a'");
    assertReadFails(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
        "malformed JSON header", "x");
  }

  @Test
  void unknownDtype() throws IOException {
    assertReadFails(raw("{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
        "'x'", "unknown dtype 'F8_E4M3'");
  }

  @Test
  void offsetsBeyondTheData() throws IOException {
    assertReadFails(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
        "'x'", "beyond the data section");
  }

  @Test
  void offsetsNotMatchingShapeTimesDtype() throws IOException {
    assertReadFails(raw("{\"x\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
        "'x'", "needs 16");
    assertReadFails(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4),
        "'x'", "end before they begin");
  }

  @Test
  void overlappingTensors() throws IOException {
    assertReadFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "'b'", "overlap", "'a'");
  }

  @Test
  void holesAndTrailingBytes() throws IOException {
    assertReadFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
        "unused bytes [0, 4)", "'a'");
    assertReadFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12),
        "12 bytes", "only 4");
  }

  @Test
  void truncatedData() throws IOException {
    Path p = dir.resolve("t.safetensors");
    Safetensors.write(p, sample(), Map.of());
    byte[] all = Files.readAllBytes(p);
    Files.write(p, Arrays.copyOf(all, all.length - 3));
    assertReadFails(p, "beyond the data section", "truncated");
  }

  @Test
  void missingTensorAndMismatchedShapeOrDtype() throws IOException {
    Path p = dir.resolve("m.safetensors");
    Safetensors.write(p, sample(), Map.of());
    SafetensorsFile f = Safetensors.read(p);
    SafetensorsException missing = assertThrows(SafetensorsException.class, () -> f.floats("nope"));
    assertTrue(missing.getMessage().startsWith(p.toString()));
    assertTrue(missing.getMessage().contains("missing tensor 'nope'"), missing.getMessage());
    SafetensorsException shape = assertThrows(SafetensorsException.class,
        () -> f.load(manager, "b.floats", new Shape(4, 2)));
    assertTrue(shape.getMessage().contains("'b.floats' has shape (2, 4), expected (4, 2)"),
        shape.getMessage());
    SafetensorsException dtype = assertThrows(SafetensorsException.class, () -> f.floats("a.longs"));
    assertTrue(dtype.getMessage().contains("'a.longs' has dtype I64"), dtype.getMessage());
    assertThrows(SafetensorsException.class, () -> f.longs("b.floats"));
    assertThrows(SafetensorsException.class, () -> f.doubles("b.floats"));
  }

  private static short[] rawShorts(Path p, SafetensorsFile.Entry e) throws IOException {
    byte[] all = Files.readAllBytes(p);
    long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    ByteBuffer data = ByteBuffer.wrap(all, (int) (8 + headerLen + e.begin()), (int) e.byteLength())
        .slice().order(ByteOrder.LITTLE_ENDIAN);
    short[] out = new short[(int) (e.byteLength() / 2)];
    data.asShortBuffer().get(out);
    return out;
  }
}
