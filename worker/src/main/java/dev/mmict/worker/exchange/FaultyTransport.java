package dev.mmict.worker.exchange;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.GradientChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A transport decorator for tests that damages outgoing chunks: the first chunk matching a
 * predicate is dropped, has one payload byte flipped, or is truncated (with a recomputed CRC, so
 * only the size check can catch it). Later chunks pass untouched. Chunks to send whose payload is
 * still to be encoded ({@link OutgoingChunk}) are built whole first (the interface's default), so
 * the predicate sees their payload.
 */
public final class FaultyTransport implements Transport {

  /** The kinds of damage. */
  public enum Fault {
    /** The chunk never arrives. */
    DROP,
    /** One payload byte is flipped; the CRC is left as sent. */
    CORRUPT_BYTE,
    /** The payload loses its last byte and gets a matching CRC: a wrongly sized chunk. */
    WRONG_SIZE
  }

  private final Transport inner;
  private final Fault fault;
  private final Predicate<GradientChunk> target;
  private boolean fired;

  /** Wraps {@code inner}; the first chunk sent that matches {@code target} suffers {@code fault}. */
  public FaultyTransport(Transport inner, Fault fault, Predicate<GradientChunk> target) {
    this.inner = inner;
    this.fault = fault;
    this.target = target;
  }

  /** Whether the fault has been applied. */
  public synchronized boolean fired() {
    return fired;
  }

  @Override
  public int rank() {
    return inner.rank();
  }

  @Override
  public int worldSize() {
    return inner.worldSize();
  }

  @Override
  public void send(int toRank, GradientChunk chunk, Duration timeout) throws IOException {
    GradientChunk out = chunk;
    synchronized (this) {
      if (!fired && target.test(chunk)) {
        fired = true;
        out = damage(chunk);
      }
    }
    if (out != null) {
      inner.send(toRank, out, timeout);
    }
  }

  private GradientChunk damage(GradientChunk chunk) {
    byte[] payload = chunk.getPayload().toByteArray();
    switch (fault) {
      case DROP:
        return null;
      case CORRUPT_BYTE:
        if (payload.length == 0) {
          throw new IllegalStateException("cannot corrupt an empty payload; target a non-empty chunk");
        }
        payload[payload.length / 2] ^= 0x5a;
        return chunk.toBuilder().setPayload(ByteString.copyFrom(payload)).build();
      case WRONG_SIZE:
        if (payload.length == 0) {
          throw new IllegalStateException("cannot shorten an empty payload; target a non-empty chunk");
        }
        ByteString shorter = ByteString.copyFrom(payload, 0, payload.length - 1);
        return chunk.toBuilder()
            .setPayload(shorter)
            .setPayloadCrc32C(ElementCodec.crc32c(shorter))
            .build();
      default:
        throw new IllegalStateException("unknown fault " + fault);
    }
  }

  @Override
  public Optional<GradientChunk> receive(int fromRank, Duration timeout)
      throws IOException, InterruptedException {
    return inner.receive(fromRank, timeout);
  }

  @Override
  public void release(GradientChunk chunk) {
    inner.release(chunk);
  }

  @Override
  public void close() {
    inner.close();
  }
}
