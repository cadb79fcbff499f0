package dev.mmict.worker.exchange;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.mmict.protocol.v1.GradientChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A gradient chunk on its way out whose payload is not encoded yet: every field but {@code
 * payload} and {@code payload_crc32c}, plus how to encode the payload. A transport encodes it
 * where the bytes have to go anyway (a pooled direct frame buffer for TCP), so no intermediate
 * array is filled and copied. Encoding computes the CRC-32C and remembers it.
 */
public final class OutgoingChunk {

  /** Writes a payload at a buffer's position, advancing it by exactly the payload's size. */
  @FunctionalInterface
  public interface PayloadEncoder {
    /** Writes the payload into {@code target} (little-endian order set) from its position. */
    void encodeInto(ByteBuffer target);
  }

  private final GradientChunk header;
  private final int payloadBytes;
  private final PayloadEncoder encoder;
  private volatile boolean encoded;
  private volatile int crc32c;

  /**
   * A chunk of {@code header}'s fields and a payload of {@code payloadBytes} bytes that {@code
   * encoder} writes.
   *
   * @throws IllegalArgumentException if {@code header} already carries a payload or a CRC
   */
  public OutgoingChunk(GradientChunk header, int payloadBytes, PayloadEncoder encoder) {
    if (!header.getPayload().isEmpty() || header.getPayloadCrc32C() != 0) {
      throw new IllegalArgumentException("an outgoing chunk's header must not carry a payload or a CRC (step "
          + header.getStep() + ", chunk " + header.getChunkIndex() + ")");
    }
    if (payloadBytes < 0) {
      throw new IllegalArgumentException("negative payload size " + payloadBytes);
    }
    this.header = header;
    this.payloadBytes = payloadBytes;
    this.encoder = encoder;
  }

  /** Every field but the payload and its CRC. */
  public GradientChunk header() {
    return header;
  }

  /** Size of the encoded payload in bytes. */
  public int payloadBytes() {
    return payloadBytes;
  }

  /**
   * Encodes the payload into {@code target} at its position (which advances by {@link
   * #payloadBytes()}) and returns its CRC-32C.
   *
   * @throws java.nio.BufferOverflowException if {@code target} has less room than the payload
   */
  public int encodePayload(ByteBuffer target) {
    ByteBuffer region = target.slice(target.position(), payloadBytes).order(ByteOrder.LITTLE_ENDIAN);
    encoder.encodeInto(region);
    if (region.position() != payloadBytes) {
      throw new IllegalStateException("payload encoder wrote " + region.position() + " bytes, the chunk declares "
          + payloadBytes + " (step " + header.getStep() + ", chunk " + header.getChunkIndex() + ")");
    }
    int crc = ElementCodec.crc32c(region.flip());
    target.position(target.position() + payloadBytes);
    crc32c = crc;
    encoded = true;
    return crc;
  }

  /** The whole chunk, payload encoded into a fresh array (for transports without frame buffers). */
  public GradientChunk toChunk() {
    ByteBuffer payload = ByteBuffer.allocate(payloadBytes);
    int crc = encodePayload(payload);
    return header.toBuilder()
        .setPayload(UnsafeByteOperations.unsafeWrap(payload.array())) // never written again
        .setPayloadCrc32C(crc)
        .build();
  }

  /**
   * The serialized size of the whole chunk ({@link GradientChunk#getSerializedSize()}, without a
   * frame's length prefix), known once the payload has been encoded.
   *
   * @throws IllegalStateException before {@link #encodePayload}
   */
  public int serializedSize() {
    if (!encoded) {
      throw new IllegalStateException("chunk " + header.getChunkIndex() + " of step " + header.getStep()
          + " has not been encoded yet: its CRC, hence its size, is unknown");
    }
    return bodyBytesBeforeCrc() + (crc32c != 0 ? 1 + 4 : 0);
  }

  /** Header fields, then the payload field (absent when empty, as protobuf writes it). */
  int bodyBytesBeforeCrc() {
    int size = header.getSerializedSize();
    if (payloadBytes > 0) {
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(payloadBytes) + payloadBytes;
    }
    return size;
  }
}
