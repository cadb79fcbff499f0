package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.GradientChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transport decorator that adds the serialized size of every chunk it hands on for sending to a
 * counter the caller owns (so one counter can outlive many per-attempt transports). Only chunks
 * the inner transport accepted count; the length prefix of each frame does not.
 */
public final class CountingTransport implements Transport {

  private final Transport inner;
  private final AtomicLong sentBytes;

  /** Wraps {@code inner}, adding to {@code sentBytes}. */
  public CountingTransport(Transport inner, AtomicLong sentBytes) {
    this.inner = inner;
    this.sentBytes = sentBytes;
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
    inner.send(toRank, chunk, timeout);
    sentBytes.addAndGet(chunk.getSerializedSize());
  }

  @Override
  public void send(int toRank, OutgoingChunk chunk, Duration timeout) throws IOException {
    inner.send(toRank, chunk, timeout);
    sentBytes.addAndGet(chunk.serializedSize()); // encoded by now: its CRC and size are known
  }

  @Override
  public Optional<GradientChunk> receive(int fromRank, Duration timeout) throws IOException, InterruptedException {
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
