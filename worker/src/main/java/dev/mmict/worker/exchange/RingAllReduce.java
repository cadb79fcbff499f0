package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.ElementEncoding;
import dev.mmict.protocol.v1.ExchangePhase;
import dev.mmict.protocol.v1.GradientChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rank's side of a chunked ring all-reduce (reduce-scatter, then all-gather) over a {@link
 * Transport}: after {@code allReduce*} returns, every rank's buffer holds the element-wise sum of
 * all ranks' buffers, bit for bit the same on every rank.
 *
 * <p>Each rank sends {@code 2 (N-1)/N} of the vector to its successor and receives as much from
 * its predecessor. Every chunk is checked on arrival (step and plan, sender, phase, chunk index and
 * count, offset, element count, payload size, CRC-32C); a failure throws {@link
 * ExchangeException} and leaves the buffer partly reduced, so the caller retries the whole step
 * from its own gradients under a new plan id. Chunks left over from an older plan are discarded.
 * Every wait is bounded by {@link ExchangeSettings#timeout()}. A chunk of a later round (a peer
 * that already gave up this round and started the retry) fails this round at once and is kept
 * for the next call, so use one instance per transport for all steps, one call at a time.
 *
 * <p>Sums: FIXED64 sums are exact, so the result does not depend on the ring's order of addition
 * and, with per-micro-batch encoding ({@link MicroBatchGradientSum}), not on the number of ranks.
 * Float sums are FP32 in ring order: identical on every rank of one run, but a different number
 * of ranks adds in a different order and may change the last bits. FP16/BF16 wire encodings round
 * every partial sum on each hop (lossy); the owner of each reduced segment rounds it the same way
 * before the all-gather so that all ranks still end with identical bits.
 */
public final class RingAllReduce {

  private static final Logger LOG = LoggerFactory.getLogger(RingAllReduce.class);

  private final Transport transport;
  private final ExchangeSettings settings;
  // A chunk of a later round, per sender, received while an earlier round was still running; not
  // released to the transport until the round it belongs to has applied it.
  private final GradientChunk[] early;

  /** The all-reduce of {@code transport}'s rank. */
  public RingAllReduce(Transport transport, ExchangeSettings settings) {
    this.transport = transport;
    this.settings = settings;
    this.early = new GradientChunk[transport.worldSize()];
  }

  /** Sums {@code data} over all ranks in place, exactly (FIXED64 on the wire). */
  public void allReduceFixed(ExchangeRound round, long[] data)
      throws ExchangeException, InterruptedException {
    run(round, ReduceBuffer.ofFixed(data));
  }

  /** Sums {@code data} over all ranks in place in FP32, sent as {@code wire} (FP32/FP16/BF16). */
  public void allReduceFloats(ExchangeRound round, float[] data, ElementEncoding wire)
      throws ExchangeException, InterruptedException {
    run(round, ReduceBuffer.ofFloats(data, wire));
  }

  private void run(ExchangeRound round, ReduceBuffer buffer)
      throws ExchangeException, InterruptedException {
    int n = transport.worldSize();
    int rank = transport.rank();
    if (n == 1) {
      return;
    }
    RingLayout layout = new RingLayout(buffer.length(), n, settings.chunkElements());
    Link link = new Link(round, buffer, layout, (rank + 1) % n, (rank + n - 1) % n);
    // 2 (N-1) hops: reduce-scatter hops k = 0..N-2 send segment r-k and receive r-k-1; all-gather
    // hops k = 0..N-2 send segment r+1-k and receive r-k. The segment a hop receives is the one
    // the next hop sends, chunk for chunk, so each chunk goes on as soon as it has been applied
    // (a pipeline across hops: the link never waits for a whole segment at a hop boundary).
    int hops = 2 * (n - 1);
    int[] sendSegment = new int[hops + 1];
    int[] receiveSegment = new int[hops];
    for (int h = 0; h < hops; h++) {
      int k = h < n - 1 ? h : h - (n - 1);
      sendSegment[h] = h < n - 1 ? mod(rank - k, n) : mod(rank + 1 - k, n);
      receiveSegment[h] = h < n - 1 ? mod(rank - k - 1, n) : mod(rank - k, n);
    }
    int owned = mod(rank + 1, n); // after the last reduce-scatter hop this rank holds its complete sum
    int chunks0 = layout.chunks(sendSegment[0]);
    for (int c = 0; c < chunks0; c++) {
      link.send(phase(0, n), sendSegment[0], c, chunks0);
    }
    for (int h = 0; h < hops; h++) {
      int segment = receiveSegment[h];
      int chunks = layout.chunks(segment);
      for (int c = 0; c < chunks; c++) {
        link.receiveAndApply(phase(h, n), segment, c, chunks);
        if (h == n - 2) {
          buffer.roundToWire(layout.chunkOffset(owned, c), layout.chunkLength(owned, c));
        }
        if (h + 1 < hops) {
          link.send(phase(h + 1, n), segment, c, chunks);
        }
      }
    }
  }

  private static ExchangePhase phase(int hop, int n) {
    return hop < n - 1 ? ExchangePhase.EXCHANGE_PHASE_REDUCE_SCATTER : ExchangePhase.EXCHANGE_PHASE_ALL_GATHER;
  }

  private static int mod(int a, int n) {
    return ((a % n) + n) % n;
  }

  /** The state of one all-reduce call: this rank's links to its ring neighbours. */
  private final class Link {
    private final ExchangeRound round;
    private final ReduceBuffer buffer;
    private final RingLayout layout;
    private final int next;
    private final int previous;

    Link(ExchangeRound round, ReduceBuffer buffer, RingLayout layout, int next, int previous) {
      this.round = round;
      this.buffer = buffer;
      this.layout = layout;
      this.next = next;
      this.previous = previous;
    }

    /** Waits for chunk {@code chunkIndex} of {@code segment}, checks it and applies it to the buffer. */
    void receiveAndApply(ExchangePhase phase, int segment, int chunkIndex, int totalChunks)
        throws ExchangeException, InterruptedException {
      Optional<GradientChunk> chunk = receive(phase, segment, chunkIndex, totalChunks, settings.timeout());
      if (chunk.isEmpty()) {
        throw failure(ExchangeException.Reason.TIMEOUT, previous, chunkIndex,
            "no " + phase + " chunk arrived within " + settings.timeout(), null);
      }
      try {
        apply(phase, chunk.get());
      } finally {
        transport.release(chunk.get()); // applied or not, its buffer may be reused now
      }
    }

    private void send(ExchangePhase phase, int segment, int chunkIndex, int totalChunks)
        throws ExchangeException {
      int offset = layout.chunkOffset(segment, chunkIndex);
      int count = layout.chunkLength(segment, chunkIndex);
      GradientChunk header =
          GradientChunk.newBuilder()
              .setStep(round.step())
              .setPlanId(round.planId())
              .setSenderRank(transport.rank())
              .setPhase(phase)
              .setChunkIndex(chunkIndex)
              .setTotalChunks(totalChunks)
              .setElementOffset(offset)
              .setElementCount(count)
              .setEncoding(buffer.encoding())
              .build();
      // The transport encodes the slice while this call runs (into its frame buffer, for TCP).
      OutgoingChunk chunk = new OutgoingChunk(header, count * ElementCodec.width(buffer.encoding()),
          target -> buffer.encodeInto(offset, count, target));
      try {
        transport.send(next, chunk, settings.timeout());
      } catch (IOException e) {
        throw failure(ExchangeException.Reason.TRANSPORT, next, chunkIndex, "cannot send: " + e.getMessage(), e);
      }
    }

    /**
     * The expected chunk {@code chunkIndex}, checked, or empty if none arrived within {@code wait}
     * (zero: only what is already there). Stale chunks of older rounds are skipped.
     */
    private Optional<GradientChunk> receive(
        ExchangePhase phase, int segment, int chunkIndex, int totalChunks, Duration wait)
        throws ExchangeException, InterruptedException {
      long deadline = System.nanoTime() + wait.toNanos();
      while (true) {
        Optional<GradientChunk> got = Optional.ofNullable(early[previous]);
        early[previous] = null;
        if (got.isEmpty()) {
          try {
            got = transport.receive(previous, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
          } catch (IOException e) {
            throw failure(ExchangeException.Reason.TRANSPORT, previous, chunkIndex, "cannot receive: " + e.getMessage(), e);
          }
        }
        if (got.isEmpty()) {
          return got;
        }
        GradientChunk chunk = got.get();
        if (round.isAfter(chunk.getStep(), chunk.getPlanId())) {
          LOG.warn(
              "discarding stale gradient chunk of step {} plan {} from rank {} while exchanging step {} plan {}",
              chunk.getStep(), chunk.getPlanId(), chunk.getSenderRank(), round.step(), round.planId());
          transport.release(chunk);
          continue;
        }
        if (chunk.getStep() != round.step() || chunk.getPlanId() != round.planId()) {
          early[previous] = chunk; // the first chunk of the round the peer moved on to
          throw failure(ExchangeException.Reason.PROTOCOL, previous, chunkIndex,
              "peer moved on to step " + chunk.getStep() + " plan " + chunk.getPlanId()
                  + " while this rank expected " + phase + " chunk " + chunkIndex, null);
        }
        try {
          check(chunk, phase, segment, chunkIndex, totalChunks);
        } catch (ExchangeException e) {
          transport.release(chunk);
          throw e;
        }
        return got;
      }
    }

    private void check(GradientChunk chunk, ExchangePhase phase, int segment, int chunkIndex, int totalChunks)
        throws ExchangeException {
      ExchangeException.Reason protocol = ExchangeException.Reason.PROTOCOL;
      if (chunk.getSenderRank() != previous) {
        throw failure(protocol, previous, chunkIndex, "chunk claims sender rank " + chunk.getSenderRank(), null);
      }
      if (chunk.getPhase() != phase) {
        throw failure(protocol, previous, chunkIndex, "expected phase " + phase + ", got " + chunk.getPhase(), null);
      }
      if (chunk.getChunkIndex() != chunkIndex || chunk.getTotalChunks() != totalChunks) {
        throw failure(protocol, previous, chunkIndex,
            "expected chunk " + chunkIndex + " of " + totalChunks + ", got chunk "
                + chunk.getChunkIndex() + " of " + chunk.getTotalChunks(), null);
      }
      long offset = layout.chunkOffset(segment, chunkIndex);
      if (chunk.getElementOffset() != offset) {
        throw failure(protocol, previous, chunkIndex,
            "expected element offset " + offset + ", got " + chunk.getElementOffset()
                + " (do the ranks agree on the vector length " + layout.length() + "?)", null);
      }
      if (chunk.getEncoding() != buffer.encoding()) {
        throw failure(protocol, previous, chunkIndex,
            "expected encoding " + buffer.encoding() + ", got " + chunk.getEncoding(), null);
      }
      int count = layout.chunkLength(segment, chunkIndex);
      long expectedBytes = (long) count * ElementCodec.width(buffer.encoding());
      if (chunk.getElementCount() != count || chunk.getPayload().size() != expectedBytes) {
        throw failure(ExchangeException.Reason.WRONG_SIZE, previous, chunkIndex,
            "expected " + count + " elements in " + expectedBytes + " bytes, got "
                + chunk.getElementCount() + " elements in " + chunk.getPayload().size() + " bytes", null);
      }
      int crc = ElementCodec.bytes(chunk.getPayload()).crc32c();
      if (crc != chunk.getPayloadCrc32C()) {
        throw failure(ExchangeException.Reason.CORRUPT, previous, chunkIndex,
            String.format("payload CRC-32C is %08x, the sender wrote %08x", crc, chunk.getPayloadCrc32C()), null);
      }
    }

    private void apply(ExchangePhase phase, GradientChunk chunk) throws ExchangeException {
      ElementCodec.Bytes payload = ElementCodec.bytes(chunk.getPayload());
      int offset = Math.toIntExact(chunk.getElementOffset()); // checked against the layout
      int count = chunk.getElementCount();
      if (phase == ExchangePhase.EXCHANGE_PHASE_ALL_GATHER) {
        buffer.overwrite(payload, offset, count);
        return;
      }
      try {
        buffer.accumulate(payload, offset, count);
      } catch (FixedPointOverflowException e) {
        throw new ExchangeException(
            ExchangeException.Reason.OVERFLOW, round.step(), round.planId(), previous,
            chunk.getChunkIndex(), e.elementIndex(), e.getMessage(), e);
      }
    }

    private ExchangeException failure(
        ExchangeException.Reason reason, int peer, long chunkIndex, String detail, Throwable cause) {
      return new ExchangeException(
          reason, round.step(), round.planId(), peer, chunkIndex, ExchangeException.UNKNOWN, detail, cause);
    }
  }
}
