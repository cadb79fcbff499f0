package dev.mmict.worker.cluster;

import ai.djl.ndarray.NDArray;
import dev.mmict.hub.nn.Params;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The trainable parameters of a replica seen as one flat vector, in declaration order: the
 * layout in which gradients are exchanged, and the bytes every replica's checksum covers.
 */
public final class ParameterVector {

  private final Params params;
  private final List<Params.Param> trainable;
  private final int length;

  /** The layout of {@code params}' trainable parameters as they are now. */
  public ParameterVector(Params params) {
    this.params = params;
    this.trainable = params.trainable();
    long total = 0;
    for (Params.Param p : trainable) {
      total += p.value().size();
    }
    this.length = Math.toIntExact(total);
    if (trainable.isEmpty()) {
      throw new IllegalArgumentException("the model has no trainable parameter to train");
    }
  }

  /** Number of elements. */
  public int length() {
    return length;
  }

  /** The parameters' gradients, flattened into a new vector; each gradient is then zeroed. */
  public float[] takeGradients() {
    float[] out = new float[length];
    int offset = 0;
    for (Params.Param p : trainable) {
      NDArray g = p.value().getGradient(); // [shape of the parameter]
      float[] values = g.toFloatArray();
      System.arraycopy(values, 0, out, offset, values.length);
      offset += values.length;
      zero(g, values);
    }
    return out;
  }

  /**
   * Zeroes every gradient (PyTorch accumulates them across backward passes), so that an attempt
   * cut short after a backward pass leaves nothing behind for the next one.
   */
  public void zeroGradients() {
    for (Params.Param p : trainable) {
      NDArray g = p.value().getGradient(); // [shape of the parameter]
      zero(g, g.toFloatArray());
    }
  }

  /** In place; NaN and infinities too, so one bad pass cannot poison the next ({@code values}: g's). */
  private static void zero(NDArray g, float[] values) {
    boolean finite = true;
    for (int i = 0; i < values.length && finite; i++) {
      finite = Float.isFinite(values[i]);
    }
    Params.zeroGradient(g, !finite);
  }

  /** The current values of the trainable parameters, flattened. */
  public float[] values() {
    float[] out = new float[length];
    int offset = 0;
    for (Params.Param p : trainable) {
      float[] values = p.value().toFloatArray();
      System.arraycopy(values, 0, out, offset, values.length);
      offset += values.length;
    }
    return out;
  }

  /** Overwrites the trainable parameters with {@code vector} (as {@link #values()} returned it). */
  public void restore(float[] vector) {
    requireLength(vector);
    int offset = 0;
    for (Params.Param p : trainable) {
      int size = Math.toIntExact(p.value().size());
      float[] slice = new float[size];
      System.arraycopy(vector, offset, slice, 0, size);
      params.assign(p.name(), slice);
      offset += size;
    }
  }

  /** The trainable parameters' names, in declaration order. */
  public List<String> names() {
    return trainable.stream().map(Params.Param::name).toList();
  }

  /** The trainable parameters as named tensors, in declaration order (copies of their values). */
  public List<ReplicaState.Tensor> tensors() {
    List<ReplicaState.Tensor> out = new java.util.ArrayList<>();
    for (Params.Param p : trainable) {
      out.add(new ReplicaState.Tensor(p.name(), p.value().getShape().getShape(), p.value().toFloatArray()));
    }
    return out;
  }

  /**
   * Overwrites the trainable parameters in place with {@code tensors} (as {@link #tensors()}
   * returned them, possibly on another replica).
   *
   * @throws IllegalArgumentException when the names, order or shapes differ from this replica's
   */
  public void assign(List<ReplicaState.Tensor> tensors) {
    if (tensors.size() != trainable.size()) {
      throw new IllegalArgumentException("got " + tensors.size() + " parameter tensors for " + trainable.size()
          + " trainable parameters");
    }
    for (int i = 0; i < tensors.size(); i++) {
      ReplicaState.Tensor t = tensors.get(i);
      Params.Param p = trainable.get(i);
      if (!p.name().equals(t.name()) || !java.util.Arrays.equals(p.value().getShape().getShape(), t.shape())) {
        throw new IllegalArgumentException("parameter " + i + " is '" + t.name() + "' " + java.util.Arrays.toString(t.shape())
            + " but this replica's is '" + p.name() + "' " + p.value().getShape());
      }
    }
    for (ReplicaState.Tensor t : tensors) {
      params.assign(t.name(), t.values());
    }
  }

  /**
   * The trainable parameters' values and their checksum, read together.
   *
   * @param values the parameters flattened in declaration order (as {@link #values()})
   * @param sha256 the replica checksum of exactly these values (as {@link #sha256()})
   */
  public record Snapshot(float[] values, byte[] sha256) { }

  /**
   * sha256 over every trainable parameter's name, then its values as little-endian float32: the
   * replica checksum the coordinator compares (32 bytes).
   */
  public byte[] sha256() {
    return snapshot().sha256();
  }

  /**
   * The values and their sha256 from one read of each parameter: the checksum hashes the bytes
   * PyTorch hands over (little-endian float32 on a little-endian machine, as the checksum is
   * defined) and the same bytes fill the flat vector, so each parameter is copied out of native
   * memory once instead of once per use.
   */
  public Snapshot snapshot() {
    MessageDigest md = newSha256();
    float[] out = new float[length];
    int offset = 0;
    boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    for (Params.Param p : trainable) {
      md.update(p.name().getBytes(StandardCharsets.UTF_8));
      int size = Math.toIntExact(p.value().size());
      if (littleEndian) {
        ByteBuffer bytes = p.value().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN); // [shape of the parameter]
        if (bytes.remaining() != 4 * size) {
          throw new IllegalStateException("parameter '" + p.name() + "' gave " + bytes.remaining()
              + " bytes for " + size + " float32 values");
        }
        bytes.asFloatBuffer().get(out, offset, size);
        md.update(bytes);
      } else {
        float[] v = p.value().toFloatArray();
        System.arraycopy(v, 0, out, offset, size);
        ByteBuffer buf = ByteBuffer.allocate(4 * size).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        md.update(buf.array());
      }
      offset += size;
    }
    return new Snapshot(out, md.digest());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Global L2 norm of {@code vector}, summed in index order in double (the same on every replica). */
  public static double norm(float[] vector) {
    double squares = 0;
    for (float v : vector) {
      squares += (double) v * v;
    }
    return Math.sqrt(squares);
  }

  private void requireLength(float[] vector) {
    if (vector.length != length) {
      throw new IllegalArgumentException(
          "vector of " + vector.length + " elements for " + length + " trainable parameter elements");
    }
  }
}
