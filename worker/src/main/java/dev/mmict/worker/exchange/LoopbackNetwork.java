package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.GradientChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-process data plane for tests: {@code worldSize} transports joined by one unbounded FIFO
 * queue per directed link. Faults are injected by wrapping a transport in {@link FaultyTransport}.
 */
public final class LoopbackNetwork {

  private final int worldSize;
  // queues.get(to * worldSize + from): chunks sent by `from` to `to`.
  private final List<LinkedBlockingQueue<GradientChunk>> queues = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A network of {@code worldSize} ranks (at least 1). */
  public LoopbackNetwork(int worldSize) {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be at least 1, got " + worldSize);
    }
    this.worldSize = worldSize;
    for (int i = 0; i < worldSize * worldSize; i++) {
      queues.add(new LinkedBlockingQueue<>());
    }
  }

  /** The transport of {@code rank}. */
  public Transport transport(int rank) {
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + worldSize + ")");
    }
    return new End(rank);
  }

  /** Number of chunks sent to {@code to} by {@code from} and not received yet. */
  public int pending(int to, int from) {
    return queue(to, from).size();
  }

  private LinkedBlockingQueue<GradientChunk> queue(int to, int from) {
    return queues.get(to * worldSize + from);
  }

  private void checkRank(int peer) {
    if (peer < 0 || peer >= worldSize) {
      throw new IllegalArgumentException("peer rank " + peer + " outside [0, " + worldSize + ")");
    }
  }

  /** One rank's end: sends append to the peer's inbound queue, receives poll its own. */
  private final class End implements Transport {
    private final int rank;

    End(int rank) {
      this.rank = rank;
    }

    @Override
    public int rank() {
      return rank;
    }

    @Override
    public int worldSize() {
      return worldSize;
    }

    @Override
    public void send(int toRank, GradientChunk chunk, Duration timeout) throws IOException {
      checkRank(toRank);
      if (closed.get()) {
        throw new IOException("loopback network closed; rank " + rank + " cannot send to " + toRank);
      }
      queue(toRank, rank).add(chunk);
    }

    @Override
    public Optional<GradientChunk> receive(int fromRank, Duration timeout)
        throws IOException, InterruptedException {
      checkRank(fromRank);
      if (closed.get()) {
        throw new IOException("loopback network closed; rank " + rank + " cannot receive from " + fromRank);
      }
      return Optional.ofNullable(queue(rank, fromRank).poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }
}
