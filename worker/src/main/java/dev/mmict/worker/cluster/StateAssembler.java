package dev.mmict.worker.cluster;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.StateTransferChunk;
import dev.mmict.protocol.v1.TensorDType;
import dev.mmict.protocol.v1.TensorRole;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The joiner's side of one state transfer: collects the chunks in any order, checks each one on
 * arrival (transfer id, step, CRC-32C, index and count, offset and size against the tensor's
 * shape, agreement with the tensor's earlier chunks) and, once every chunk of every tensor is
 * there, checks the whole state's sha256 before handing out the {@link ReplicaState}.
 *
 * <p>Not thread-safe: the worker actor feeds it.
 */
public final class StateAssembler {

  private final String transferId;
  private Long afterStep;
  private ByteString stateSha;
  private Part[] tensors;
  private int complete;

  /** One tensor being assembled. */
  private static final class Part {
    final StateTransferChunk first;
    final byte[] bytes;
    final boolean[] arrived;
    int arrivedCount;

    Part(StateTransferChunk first, int size) {
      this.first = first;
      this.bytes = new byte[size];
      this.arrived = new boolean[first.getChunkCount()];
    }
  }

  /** An assembler for the chunks of {@code transferId}. */
  public StateAssembler(String transferId) {
    this.transferId = transferId;
  }

  /** The transfer this assembler collects. */
  public String transferId() {
    return transferId;
  }

  /**
   * Takes one chunk (a repeated chunk is ignored).
   *
   * @return true once every chunk of every tensor has arrived
   * @throws StateTransferException when the chunk is corrupted or contradicts earlier ones
   */
  public boolean accept(StateTransferChunk c) throws StateTransferException {
    if (!transferId.equals(c.getTransferId())) {
      throw fail(c, "belongs to transfer '" + c.getTransferId() + "'");
    }
    if (afterStep == null) {
      if (c.getTensorCount() < 1) {
        throw fail(c, "says the transfer has " + c.getTensorCount() + " tensors");
      }
      if (c.getStateSha256().size() != 32) {
        throw fail(c, "carries a state sha256 of " + c.getStateSha256().size() + " bytes, not 32");
      }
      afterStep = c.getAfterStep();
      stateSha = c.getStateSha256();
      tensors = new Part[c.getTensorCount()];
    }
    if (c.getAfterStep() != afterStep || c.getTensorCount() != tensors.length || !c.getStateSha256().equals(stateSha)) {
      throw fail(c, "disagrees with the transfer's first chunk on the step (" + c.getAfterStep() + " vs " + afterStep
          + "), the tensor count (" + c.getTensorCount() + " vs " + tensors.length + ") or the state sha256");
    }
    if (StateTransferCodec.crc32c(c.getData()) != c.getCrc32C()) {
      throw fail(c, String.format("failed its CRC-32C check (computed %08x, sent %08x)",
          StateTransferCodec.crc32c(c.getData()), c.getCrc32C()));
    }
    if (c.getTensorIndex() >= tensors.length) {
      throw fail(c, "has tensor index " + c.getTensorIndex() + " of " + tensors.length);
    }
    if (c.getChunkCount() < 1 || c.getChunkIndex() >= c.getChunkCount()) {
      throw fail(c, "is chunk " + c.getChunkIndex() + " of " + c.getChunkCount());
    }
    Part part = tensors[c.getTensorIndex()];
    if (part == null) {
      part = new Part(c, tensorBytes(c));
      tensors[c.getTensorIndex()] = part;
    } else if (!sameTensor(part.first, c)) {
      throw fail(c, "describes tensor " + c.getTensorIndex() + " differently from its chunk "
          + part.first.getChunkIndex() + " (name, role, dtype, shape or chunk count)");
    }
    long end = c.getByteOffset() + c.getData().size();
    if (end > part.bytes.length) {
      throw fail(c, "writes bytes " + c.getByteOffset() + ".." + end + " of a tensor of " + part.bytes.length + " bytes");
    }
    if (part.arrived[c.getChunkIndex()]) {
      return complete == tensors.length; // a duplicate (resent) chunk
    }
    c.getData().copyTo(part.bytes, (int) c.getByteOffset());
    part.arrived[c.getChunkIndex()] = true;
    part.arrivedCount++;
    if (part.arrivedCount == part.arrived.length) {
      complete++;
    }
    return complete == tensors.length;
  }

  /**
   * The assembled state, once {@link #accept} returned true.
   *
   * @throws StateTransferException when chunks are missing, do not cover their tensor, or the
   *     state's sha256 differs from the donor's
   */
  public ReplicaState result() throws StateTransferException {
    if (tensors == null || complete != tensors.length) {
      throw new StateTransferException("state transfer " + transferId + " is incomplete: "
          + complete + " of " + (tensors == null ? "?" : tensors.length) + " tensors have all their chunks");
    }
    List<StateTransferCodec.WireTensor> wire = new ArrayList<>();
    for (Part p : tensors) {
      // Every chunk arrived and stayed inside its tensor; overlaps or gaps show in the digest.
      wire.add(new StateTransferCodec.WireTensor(p.first.getTensorName(), p.first.getRole(), p.first.getDtype(),
          p.first.getShapeList().stream().mapToLong(Long::longValue).toArray(), p.bytes));
    }
    byte[] digest = StateTransferCodec.digest(wire);
    if (!Arrays.equals(digest, stateSha.toByteArray())) {
      throw new StateTransferException("state transfer " + transferId + ": the received state's sha256 "
          + HexFormat.of().formatHex(digest) + " differs from the donor's " + HexFormat.of().formatHex(stateSha.toByteArray())
          + " (chunks overlap or leave gaps)");
    }
    List<ReplicaState.Tensor> params = new ArrayList<>();
    List<ReplicaState.Tensor> optimizer = new ArrayList<>();
    Long optimizerStep = null;
    for (StateTransferCodec.WireTensor w : wire) {
      if (w.name().equals(StateTransferCodec.OPTIMIZER_STEP) && w.dtype() == TensorDType.TENSOR_DTYPE_INT64) {
        optimizerStep = ByteBuffer.wrap(w.bytes()).order(ByteOrder.LITTLE_ENDIAN).getLong();
      } else if (w.dtype() != TensorDType.TENSOR_DTYPE_FLOAT32) {
        throw new StateTransferException("state transfer " + transferId + ": tensor '" + w.name() + "' is "
            + w.dtype() + "; replicas hold float32 tensors only");
      } else if (w.role() == TensorRole.TENSOR_ROLE_PARAMETER) {
        params.add(new ReplicaState.Tensor(w.name(), w.shape(), StateTransferCodec.toFloats(w.bytes())));
      } else if (w.role() == TensorRole.TENSOR_ROLE_OPTIMIZER) {
        optimizer.add(new ReplicaState.Tensor(w.name(), w.shape(), StateTransferCodec.toFloats(w.bytes())));
      } else {
        throw new StateTransferException("state transfer " + transferId + ": tensor '" + w.name() + "' has role "
            + w.role());
      }
    }
    if (optimizerStep == null) {
      throw new StateTransferException("state transfer " + transferId + " carries no optimizer step counter '"
          + StateTransferCodec.OPTIMIZER_STEP + "'");
    }
    return new ReplicaState(afterStep, params, optimizer, optimizerStep);
  }

  private int tensorBytes(StateTransferChunk c) throws StateTransferException {
    long size = 1;
    for (long d : c.getShapeList()) {
      size *= d;
    }
    int width;
    try {
      width = StateTransferCodec.width(c.getDtype());
    } catch (IllegalArgumentException e) {
      throw fail(c, "has element type " + c.getDtype());
    }
    long bytes = size * width;
    if (bytes > Integer.MAX_VALUE - 8 || bytes < 0) {
      throw fail(c, "describes a tensor of " + bytes + " bytes");
    }
    return (int) bytes;
  }

  private static boolean sameTensor(StateTransferChunk a, StateTransferChunk b) {
    return a.getTensorName().equals(b.getTensorName()) && a.getRole() == b.getRole() && a.getDtype() == b.getDtype()
        && a.getShapeList().equals(b.getShapeList()) && a.getChunkCount() == b.getChunkCount();
  }

  private StateTransferException fail(StateTransferChunk c, String what) {
    return new StateTransferException("state transfer " + transferId + ": chunk " + c.getChunkIndex() + " of tensor "
        + c.getTensorIndex() + " ('" + c.getTensorName() + "') " + what);
  }
}
