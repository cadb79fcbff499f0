package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.GradientChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * One rank's end of the data plane: sends chunks to, and receives chunks from, the other ranks of
 * a fixed membership. Chunks between two ranks arrive in the order they were sent (FIFO per link).
 * Every wait is bounded by the timeout the caller passes.
 */
public interface Transport extends AutoCloseable {

  /** This end's rank, in [0, worldSize). */
  int rank();

  /** Number of ranks. */
  int worldSize();

  /**
   * Queues {@code chunk} for {@code toRank}; may return before it is on the wire.
   *
   * @throws IOException if the link has failed or the chunk could not be queued within {@code
   *     timeout} (the peer stopped reading)
   */
  void send(int toRank, GradientChunk chunk, Duration timeout) throws IOException;

  /**
   * Queues a chunk whose payload is still to be encoded: the transport encodes it during this call
   * (straight into its frame buffer where it has one), so the caller may change the source data
   * as soon as this returns. The default builds the whole {@link GradientChunk} and sends that.
   *
   * @throws IOException as {@link #send(int, GradientChunk, Duration)}
   */
  default void send(int toRank, OutgoingChunk chunk, Duration timeout) throws IOException {
    send(toRank, chunk.toChunk(), timeout);
  }

  /**
   * The next chunk from {@code fromRank}, or empty if none arrived within {@code timeout}.
   *
   * @throws IOException if the link from that rank has failed or carried a malformed frame
   */
  Optional<GradientChunk> receive(int fromRank, Duration timeout)
      throws IOException, InterruptedException;

  /**
   * Hands back a chunk that {@link #receive} returned: its payload may share a buffer the
   * transport reuses, so the caller must not read the chunk after this. Releasing is optional (an
   * unreleased chunk stays valid and its buffer is simply not reused) and releasing twice, or a
   * chunk this transport did not return, does nothing. The default does nothing.
   */
  default void release(GradientChunk chunk) {}

  /** Closes every link; pending and later calls fail. */
  @Override
  void close();
}
