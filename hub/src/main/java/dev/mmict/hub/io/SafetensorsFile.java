package dev.mmict.hub.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A validated safetensors file: its metadata and tensor directory, read from the header by
 * {@link Safetensors#read}; tensor data is read from disk on demand.
 */
public final class SafetensorsFile {

  /**
   * One tensor's directory entry.
   *
   * @param begin first byte, relative to the start of the data section
   * @param end one past the last byte, relative to the start of the data section
   */
  public record Entry(String name, SafetensorsDtype dtype, Shape shape, long begin, long end) {
    /** Number of bytes of data. */
    public long byteLength() {
      return end - begin;
    }
  }

  private final Path path;
  private final long dataStart;
  private final Map<String, String> metadata;
  private final Map<String, Entry> entries;

  SafetensorsFile(Path path, long dataStart, Map<String, String> metadata, Map<String, Entry> entries) {
    this.path = path;
    this.dataStart = dataStart;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /** The file this was read from. */
  public Path path() {
    return path;
  }

  /** The header's {@code __metadata__} string map (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Tensor names, sorted. */
  public List<String> names() {
    return entries.keySet().stream().sorted().toList();
  }

  /** Whether a tensor {@code name} is in the file. */
  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** The directory entry of {@code name}; fails naming the file and tensor if absent. */
  public Entry entry(String name) throws SafetensorsException {
    Entry e = entries.get(name);
    if (e == null) {
      throw new SafetensorsException(path, "missing tensor '" + name + "'");
    }
    return e;
  }

  /** The entry of {@code name}, checking that its shape is {@code expected}. */
  public Entry entry(String name, Shape expected) throws SafetensorsException {
    Entry e = entry(name);
    if (!e.shape().equals(expected)) {
      throw new SafetensorsException(path, "tensor '" + name + "' has shape " + e.shape()
          + ", expected " + expected);
    }
    return e;
  }

  /** The values of a floating tensor (F16, BF16, F32, F64) as float32, row-major. */
  public float[] floats(String name) throws IOException {
    Entry e = entry(name);
    if (!e.dtype().floating()) {
      throw new SafetensorsException(path, "tensor '" + name + "' has dtype " + e.dtype()
          + ", expected a floating dtype (F16, BF16, F32, F64)");
    }
    ByteBuffer buf = bytes(e);
    int n = elementCount(e);
    float[] out = new float[n];
    switch (e.dtype()) {
      case F32 -> buf.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) buf.getDouble(8 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfPrecision.halfToFloat(buf.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfPrecision.bfloat16ToFloat(buf.getShort(2 * i));
        }
      }
      default -> throw new IllegalStateException("unreachable: " + e.dtype());
    }
    return out;
  }

  /** The values of a float64 tensor, row-major. */
  public double[] doubles(String name) throws IOException {
    Entry e = requireDtype(name, SafetensorsDtype.F64);
    double[] out = new double[elementCount(e)];
    bytes(e).asDoubleBuffer().get(out);
    return out;
  }

  /** The values of an integer tensor (I32 or I64) as longs, row-major. */
  public long[] longs(String name) throws IOException {
    Entry e = entry(name);
    ByteBuffer buf;
    int n = elementCount(e);
    long[] out = new long[n];
    switch (e.dtype()) {
      case I64 -> bytes(e).asLongBuffer().get(out);
      case I32 -> {
        buf = bytes(e);
        for (int i = 0; i < n; i++) {
          out[i] = buf.getInt(4 * i);
        }
      }
      default -> throw new SafetensorsException(path, "tensor '" + name + "' has dtype "
          + e.dtype() + ", expected an integer dtype (I32, I64)");
    }
    return out;
  }

  /** The values of an I32 tensor, row-major. */
  public int[] ints(String name) throws IOException {
    Entry e = requireDtype(name, SafetensorsDtype.I32);
    int[] out = new int[elementCount(e)];
    bytes(e).asIntBuffer().get(out);
    return out;
  }

  /**
   * Loads tensor {@code name} into {@code manager}, named after it. F16 and BF16 are widened to
   * float32 (the type the models compute in); F32, F64, I32 and I64 keep their type.
   */
  public NDArray load(NDManager manager, String name) throws IOException {
    Entry e = entry(name);
    NDArray a = switch (e.dtype()) {
      case F16, BF16, F32 -> manager.create(floats(name), e.shape());
      case F64 -> manager.create(doubles(name), e.shape());
      case I32 -> manager.create(ints(name), e.shape());
      case I64 -> manager.create(longs(name), e.shape());
    };
    a.setName(name);
    return a;
  }

  /** Like {@link #load(NDManager, String)} after checking that the shape is {@code expected}. */
  public NDArray load(NDManager manager, String name, Shape expected) throws IOException {
    entry(name, expected);
    return load(manager, name);
  }

  /** Loads every tensor whose name matches, keyed by name in sorted order. */
  public Map<String, NDArray> loadAll(NDManager manager, Predicate<String> which) throws IOException {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (String name : names()) {
      if (which.test(name)) {
        out.put(name, load(manager, name));
      }
    }
    return out;
  }

  private Entry requireDtype(String name, SafetensorsDtype dtype) throws SafetensorsException {
    Entry e = entry(name);
    if (e.dtype() != dtype) {
      throw new SafetensorsException(path, "tensor '" + name + "' has dtype " + e.dtype()
          + ", expected " + dtype);
    }
    return e;
  }

  private int elementCount(Entry e) throws SafetensorsException {
    long n = e.shape().size();
    if (n > Integer.MAX_VALUE - 8) {
      throw new SafetensorsException(path, "tensor '" + e.name() + "' has " + n
          + " elements, more than one Java array holds");
    }
    return (int) n;
  }

  /** Reads the tensor's bytes (little-endian) from disk. */
  private ByteBuffer bytes(Entry e) throws IOException {
    long length = e.byteLength();
    if (length > Integer.MAX_VALUE - 8) {
      throw new SafetensorsException(path, "tensor '" + e.name() + "' is " + length
          + " bytes, more than one buffer holds");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long pos = dataStart + e.begin();
      while (buf.hasRemaining()) {
        int r = ch.read(buf, pos + buf.position());
        if (r < 0) {
          throw new SafetensorsException(path, "file ended while reading tensor '" + e.name()
              + "' (was it truncated after it was opened?)");
        }
      }
    }
    return buf.flip();
  }
}
