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
   * The next chunk from {@code fromRank}, or empty if none arrived within {@code timeout}.
   *
   * @throws IOException if the link from that rank has failed or carried a malformed frame
   */
  Optional<GradientChunk> receive(int fromRank, Duration timeout)
      throws IOException, InterruptedException;

  /** Closes every link; pending and later calls fail. */
  @Override
  void close();
}
