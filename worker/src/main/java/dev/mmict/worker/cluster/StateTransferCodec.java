package dev.mmict.worker.cluster;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.StateTransferChunk;
import dev.mmict.protocol.v1.TensorDType;
import dev.mmict.protocol.v1.TensorRole;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A {@link ReplicaState} as {@code StateTransferChunk} messages and back: the parameters, then
 * the optimizer moments (float32), then the optimizer's step counter (one int64 named {@value
 * #OPTIMIZER_STEP}), each cut into chunks of at most a given size with a CRC-32C per chunk and a
 * sha256 of the whole state in every chunk ({@link StateAssembler} checks both).
 */
public final class StateTransferCodec {

  /** Name of the transferred optimizer step counter. */
  public static final String OPTIMIZER_STEP = "adamw.step";

  /** Default chunk size: well under Artery's 256 KiB maximum frame. */
  public static final int DEFAULT_CHUNK_BYTES = 128 * 1024;

  /** One tensor as the wire sees it. */
  record WireTensor(String name, TensorRole role, TensorDType dtype, long[] shape, byte[] bytes) { }

  private StateTransferCodec() { }

  /** The chunks of {@code state} for transfer {@code transferId}, each with at most {@code chunkBytes} data bytes. */
  public static List<StateTransferChunk> encode(String transferId, ReplicaState state, int chunkBytes) {
    if (chunkBytes < 8) {
      throw new IllegalArgumentException("chunkBytes must be >= 8, got " + chunkBytes);
    }
    List<WireTensor> tensors = wireTensors(state);
    ByteString digest = ByteString.copyFrom(digest(tensors));
    List<StateTransferChunk> out = new ArrayList<>();
    for (int t = 0; t < tensors.size(); t++) {
      WireTensor w = tensors.get(t);
      int count = Math.max(1, (w.bytes().length + chunkBytes - 1) / chunkBytes);
      for (int c = 0; c < count; c++) {
        int from = c * chunkBytes;
        int len = Math.min(chunkBytes, w.bytes().length - from);
        ByteString data = ByteString.copyFrom(w.bytes(), from, len);
        StateTransferChunk.Builder b = StateTransferChunk.newBuilder()
            .setTransferId(transferId)
            .setAfterStep(state.afterStep())
            .setTensorName(w.name())
            .setRole(w.role())
            .setDtype(w.dtype())
            .setChunkIndex(c)
            .setChunkCount(count)
            .setByteOffset(from)
            .setData(data)
            .setCrc32C(crc32c(data))
            .setTensorIndex(t)
            .setTensorCount(tensors.size())
            .setStateSha256(digest);
        for (long d : w.shape()) {
          b.addShape(d);
        }
        out.add(b.build());
      }
    }
    return out;
  }

  /** CRC-32C (Castagnoli) of {@code data}. */
  static int crc32c(ByteString data) {
    CRC32C crc = new CRC32C();
    crc.update(data.asReadOnlyByteBuffer());
    return (int) crc.getValue();
  }

  /** Width in bytes of one element of {@code dtype}. */
  static int width(TensorDType dtype) {
    return switch (dtype) {
      case TENSOR_DTYPE_FLOAT32 -> 4;
      case TENSOR_DTYPE_FLOAT64, TENSOR_DTYPE_INT64 -> 8;
      default -> throw new IllegalArgumentException("no element width for " + dtype);
    };
  }

  /** The state's tensors in transfer order. */
  static List<WireTensor> wireTensors(ReplicaState state) {
    List<WireTensor> out = new ArrayList<>();
    for (ReplicaState.Tensor t : state.parameters()) {
      out.add(new WireTensor(t.name(), TensorRole.TENSOR_ROLE_PARAMETER, TensorDType.TENSOR_DTYPE_FLOAT32, t.shape(),
          floats(t.values())));
    }
    for (ReplicaState.Tensor t : state.optimizer()) {
      out.add(new WireTensor(t.name(), TensorRole.TENSOR_ROLE_OPTIMIZER, TensorDType.TENSOR_DTYPE_FLOAT32, t.shape(),
          floats(t.values())));
    }
    byte[] step = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(state.optimizerStep()).array();
    out.add(new WireTensor(OPTIMIZER_STEP, TensorRole.TENSOR_ROLE_OPTIMIZER, TensorDType.TENSOR_DTYPE_INT64,
        new long[0], step));
    return out;
  }

  /** The state digest over {@code tensors} in order (see {@code StateTransferChunk.state_sha256}). */
  static byte[] digest(List<WireTensor> tensors) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (WireTensor t : tensors) {
        byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(name.length).putInt(t.role().getNumber()).putInt(t.dtype().getNumber()).array());
        md.update(name);
        md.update(t.bytes());
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static byte[] floats(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  static float[] toFloats(byte[] bytes) {
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
