package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.protocol.v1.ElementEncoding;
import dev.mmict.protocol.v1.ExchangePhase;
import dev.mmict.protocol.v1.GradientChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class RingAllReduceTest {

  private static final ExchangeSettings SMALL_CHUNKS = new ExchangeSettings(3, Duration.ofSeconds(10));
  private static final ExchangeSettings SHORT_TIMEOUT = new ExchangeSettings(3, Duration.ofMillis(400));
  private static final ExchangePhase RS = ExchangePhase.EXCHANGE_PHASE_REDUCE_SCATTER;
  private static final ExchangePhase AG = ExchangePhase.EXCHANGE_PHASE_ALL_GATHER;
  private static final int[] LENGTHS = {1, 2, 3, 5, 7, 10, 101};

  private static long[] randomLongs(Random random, int length) {
    long[] v = new long[length];
    for (int i = 0; i < length; i++) {
      v[i] = random.nextLong() >> 8; // room for the sum of a few
    }
    return v;
  }

  @Test
  void fixedPointSumIsExactForEveryRingSizeAndLength() throws Exception {
    Random random = new Random(1);
    for (int n = 1; n <= 4; n++) {
      for (int length : LENGTHS) {
        List<long[]> inputs = new ArrayList<>();
        long[] expected = new long[length];
        for (int r = 0; r < n; r++) {
          long[] v = randomLongs(random, length);
          inputs.add(v.clone());
          for (int i = 0; i < length; i++) {
            expected[i] += v[i]; // hand sum, never overflows with >> 8 inputs
          }
        }
        LoopbackNetwork net = new LoopbackNetwork(n);
        int ranks = n;
        var outcomes = Ranks.run(n, 20, rank -> {
          long[] data = inputs.get(rank);
          new RingAllReduce(net.transport(rank), SMALL_CHUNKS).allReduceFixed(new ExchangeRound(5, 1), data);
          return data;
        });
        for (int r = 0; r < ranks; r++) {
          assertArrayEquals(expected, outcomes.get(r).get(), "n=" + n + " length=" + length + " rank=" + r);
        }
        for (int to = 0; to < n; to++) {
          for (int from = 0; from < n; from++) {
            assertEquals(0, net.pending(to, from), "a chunk was sent but never consumed");
          }
        }
      }
    }
  }

  @Test
  void floatSumOfSmallIntegersIsExactAndIdenticalOnEveryRank() throws Exception {
    Random random = new Random(2);
    for (int n = 1; n <= 4; n++) {
      for (int length : LENGTHS) {
        List<float[]> inputs = new ArrayList<>();
        float[] expected = new float[length];
        for (int r = 0; r < n; r++) {
          float[] v = new float[length];
          for (int i = 0; i < length; i++) {
            v[i] = random.nextInt(2001) - 1000; // integers: any FP32 summation order is exact
            expected[i] += v[i];
          }
          inputs.add(v);
        }
        float[][] results = reduceFloats(n, inputs, ElementEncoding.ELEMENT_ENCODING_FP32);
        for (int r = 0; r < n; r++) {
          assertArrayEquals(expected, results[r], "n=" + n + " length=" + length + " rank=" + r);
        }
      }
    }
  }

  @Test
  void compressedFloatPayloadsAreLossyButAllRanksAgreeBitwise() throws Exception {
    Random random = new Random(3);
    int n = 3;
    int length = 50;
    for (ElementEncoding wire : List.of(ElementEncoding.ELEMENT_ENCODING_FP16, ElementEncoding.ELEMENT_ENCODING_BF16)) {
      List<float[]> inputs = new ArrayList<>();
      double[] exact = new double[length];
      for (int r = 0; r < n; r++) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
          v[i] = (float) random.nextGaussian();
          exact[i] += v[i];
        }
        inputs.add(v);
      }
      float[][] results = reduceFloats(n, inputs, wire);
      // 2 hops of rounding in the reduce-scatter plus one before the all-gather
      double relative = wire == ElementEncoding.ELEMENT_ENCODING_FP16 ? 3 * 0x1p-11 : 3 * 0x1p-8;
      boolean anyDifferent = false;
      for (int i = 0; i < length; i++) {
        double bound = relative * 4 + 1e-6; // |partial sums| <= sum of |inputs| ~ a few
        assertEquals(exact[i], results[0][i], bound, wire + " element " + i);
        anyDifferent |= results[0][i] != (float) exact[i];
        assertEquals(results[0][i], ElementCodec.roundTrip(results[0][i], wire), "results are on the wire grid");
      }
      assertTrue(anyDifferent, wire + " compression should be visible on gaussian data");
      for (int r = 1; r < n; r++) {
        assertArrayEquals(results[0], results[r], wire + ": rank " + r + " differs from rank 0");
      }
    }
  }

  @Test
  void deterministicModeIsBitwiseIdenticalForAnyRankCountAndAssignment() throws Exception {
    Random random = new Random(4);
    int length = 37;
    int microBatches = 12;
    List<float[]> gradients = new ArrayList<>();
    for (int m = 0; m < microBatches; m++) {
      float[] g = new float[length];
      for (int i = 0; i < length; i++) {
        g[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 4));
      }
      gradients.add(g);
    }
    MicroBatchGradientSum single = new MicroBatchGradientSum(FixedPoint.DEFAULT, length);
    gradients.forEach(single::add);
    float[] reference = single.mean(microBatches);

    for (int n = 1; n <= 4; n++) {
      for (int trial = 0; trial < 3; trial++) {
        int[] owner = new int[microBatches];
        for (int m = 0; m < microBatches; m++) {
          owner[m] = trial == 0 ? m % n : random.nextInt(n); // balanced, then arbitrary (ranks may get none)
        }
        LoopbackNetwork net = new LoopbackNetwork(n);
        var outcomes = Ranks.run(n, 20, rank -> {
          MicroBatchGradientSum mine = new MicroBatchGradientSum(FixedPoint.DEFAULT, length);
          for (int m = microBatches - 1; m >= 0; m--) { // reverse order on purpose
            if (owner[m] == rank) {
              mine.add(gradients.get(m));
            }
          }
          new RingAllReduce(net.transport(rank), SMALL_CHUNKS).allReduceFixed(new ExchangeRound(9, 2), mine.buffer());
          return mine;
        });
        for (int r = 0; r < n; r++) {
          MicroBatchGradientSum reduced = outcomes.get(r).get();
          assertArrayEquals(single.buffer(), reduced.buffer(), "n=" + n + " trial=" + trial + " rank=" + r);
          float[] mean = reduced.mean(microBatches);
          for (int i = 0; i < length; i++) {
            assertEquals(Float.floatToRawIntBits(reference[i]), Float.floatToRawIntBits(mean[i]),
                "bits of element " + i + ", n=" + n + " rank=" + r);
          }
        }
      }
    }
  }

  @Test
  void corruptedChunkIsDetectedNamedAndTheRetriedStepSucceeds() throws Exception {
    FailedRound failed = failOnce(FaultyTransport.Fault.CORRUPT_BYTE, RS, 3, 1);
    ExchangeException e = failed.receiverError();
    assertEquals(ExchangeException.Reason.CORRUPT, e.reason());
    assertTrue(e.retryable());
    assertTrue(e.getMessage().contains("CRC-32C"), e.getMessage());
    failed.assertEveryRankFailed();
    failed.assertRetrySucceeds();
  }

  @Test
  void wronglySizedChunkIsDetectedNamedAndTheRetriedStepSucceeds() throws Exception {
    FailedRound failed = failOnce(FaultyTransport.Fault.WRONG_SIZE, RS, 3, 1);
    ExchangeException e = failed.receiverError();
    assertEquals(ExchangeException.Reason.WRONG_SIZE, e.reason());
    assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    failed.assertEveryRankFailed();
    failed.assertRetrySucceeds();
  }

  @Test
  void chunkMissingFromTheMiddleIsDetectedByTheNextOneArriving() throws Exception {
    FailedRound failed = failOnce(FaultyTransport.Fault.DROP, RS, 3, 1);
    ExchangeException e = failed.receiverError();
    assertEquals(ExchangeException.Reason.PROTOCOL, e.reason());
    assertTrue(e.getMessage().contains("expected chunk 1 of 3, got chunk 2 of 3"), e.getMessage());
    failed.assertRetrySucceeds();
  }

  @Test
  void lastChunkDroppedTimesOutWithinTheConfiguredBound() throws Exception {
    long start = System.nanoTime();
    // rank 1's very last send: the all-gather of segment 1 = [7, 14), its chunk 2 = [13, 14)
    FailedRound failed = failOnce(FaultyTransport.Fault.DROP, AG, 13, 2);
    double seconds = (System.nanoTime() - start) / 1e9;
    ExchangeException e = failed.receiverError();
    assertEquals(ExchangeException.Reason.TIMEOUT, e.reason());
    assertTrue(e.getMessage().contains("PT0.4S"), e.getMessage());
    assertTrue(seconds < 3, "failing round took " + seconds + " s with a 0.4 s timeout");
    failed.assertRetrySucceeds();
  }

  @Test
  void fixedPointOverflowInTheReductionNamesTheElementAndIsNotRetryable() throws Exception {
    int n = 2;
    LoopbackNetwork net = new LoopbackNetwork(n);
    long[][] inputs = {{0, 0, 0, 0, Long.MAX_VALUE - 5, 0}, {1, 1, 1, 1, 10, 1}};
    var outcomes = Ranks.run(n, 20, rank -> {
      new RingAllReduce(net.transport(rank), SHORT_TIMEOUT).allReduceFixed(new ExchangeRound(3, 1), inputs[rank]);
      return null;
    });
    ExchangeException overflow = null;
    for (var outcome : outcomes) {
      assertNotNull(outcome.error(), "no rank can finish an overflowing exchange");
      ExchangeException e = assertInstanceOf(ExchangeException.class, outcome.error());
      if (e.reason() == ExchangeException.Reason.OVERFLOW) {
        overflow = e;
      }
    }
    assertNotNull(overflow, "some rank must report the overflow");
    assertEquals(4, overflow.elementIndex());
    assertEquals(3, overflow.step());
    assertFalse(overflow.retryable());
    assertTrue(overflow.getMessage().contains("element 4"), overflow.getMessage());
  }

  @Test
  void ranksThatDisagreeOnTheVectorLengthFailClearly() throws Exception {
    int n = 2;
    LoopbackNetwork net = new LoopbackNetwork(n);
    var outcomes = Ranks.run(n, 20, rank -> {
      long[] data = new long[rank == 0 ? 8 : 9];
      new RingAllReduce(net.transport(rank), SHORT_TIMEOUT).allReduceFixed(new ExchangeRound(1, 1), data);
      return null;
    });
    boolean namedMismatch = false;
    for (var outcome : outcomes) {
      ExchangeException e = assertInstanceOf(ExchangeException.class, outcome.error());
      namedMismatch |= e.reason() == ExchangeException.Reason.PROTOCOL
          || e.reason() == ExchangeException.Reason.WRONG_SIZE;
    }
    assertTrue(namedMismatch, "a rank should name the layout mismatch, not only time out");
  }

  private static float[][] reduceFloats(int n, List<float[]> inputs, ElementEncoding wire) throws Exception {
    LoopbackNetwork net = new LoopbackNetwork(n);
    var outcomes = Ranks.run(n, 20, rank -> {
      float[] data = inputs.get(rank).clone();
      new RingAllReduce(net.transport(rank), SMALL_CHUNKS).allReduceFloats(new ExchangeRound(1, 1), data, wire);
      return data;
    });
    float[][] results = new float[n][];
    for (int r = 0; r < n; r++) {
      results[r] = outcomes.get(r).get();
    }
    return results;
  }

  /**
   * Round (step 7, plan 1) on 3 ranks where the chunk that rank 1 sends in {@code phase} at
   * {@code elementOffset} suffers {@code fault}; then the same transports retry under plan 2.
   */
  private static FailedRound failOnce(
      FaultyTransport.Fault fault, ExchangePhase phase, long elementOffset, int chunkIndex) throws Exception {
    int n = 3;
    int length = 20;
    Random random = new Random(5);
    List<long[]> inputs = new ArrayList<>();
    long[] expected = new long[length];
    for (int r = 0; r < n; r++) {
      long[] v = randomLongs(random, length);
      inputs.add(v);
      for (int i = 0; i < length; i++) {
        expected[i] += v[i];
      }
    }
    LoopbackNetwork net = new LoopbackNetwork(n);
    // Segments of 20 elements on 3 ranks: [0, 7), [7, 14), [14, 20); chunks of 3 elements.
    // Rank 1 sends to rank 2: reduce-scatter segments 1 then 0, all-gather segments 2 then 1.
    Predicate<GradientChunk> target = c -> c.getPhase() == phase
        && c.getElementOffset() == elementOffset && c.getChunkIndex() == chunkIndex;
    List<Transport> transports = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      transports.add(r == 1 ? new FaultyTransport(net.transport(r), fault, target) : net.transport(r));
    }
    var outcomes = Ranks.run(n, 20, rank -> {
      new RingAllReduce(transports.get(rank), SHORT_TIMEOUT)
          .allReduceFixed(new ExchangeRound(7, 1), inputs.get(rank).clone());
      return null;
    });
    assertTrue(((FaultyTransport) transports.get(1)).fired(), "the fault was never injected");
    return new FailedRound(outcomes, transports, inputs, expected, chunkIndex);
  }

  /** The outcome of a round with one injected fault, and what is needed to retry it. */
  private record FailedRound(
      List<Ranks.Outcome<Object>> outcomes, List<Transport> transports, List<long[]> inputs, long[] expected,
      int chunkIndex) {

    /** The error of rank 2, which receives rank 1's chunks. */
    ExchangeException receiverError() {
      ExchangeException e = assertInstanceOf(ExchangeException.class, outcomes.get(2).error());
      assertEquals(7, e.step());
      assertEquals(1, e.planId());
      assertEquals(1, e.peerRank());
      assertEquals(chunkIndex, e.chunkIndex());
      assertTrue(e.getMessage().contains("step 7") && e.getMessage().contains("peer rank 1")
          && e.getMessage().contains("chunk " + chunkIndex), e.getMessage());
      return e;
    }

    /** Every rank ended with an exchange error (the others by timeout, waiting on rank 2). */
    void assertEveryRankFailed() {
      for (var outcome : outcomes) {
        assertInstanceOf(ExchangeException.class, outcome.error(), "every rank must fail this round");
      }
    }

    /** Plan 2 over the same transports sums exactly, discarding plan 1's leftovers. */
    void assertRetrySucceeds() throws Exception {
      var retried = Ranks.run(transports.size(), 20, rank -> {
        long[] data = inputs.get(rank).clone();
        new RingAllReduce(transports.get(rank), SHORT_TIMEOUT).allReduceFixed(new ExchangeRound(7, 2), data);
        return data;
      });
      for (int r = 0; r < transports.size(); r++) {
        assertArrayEquals(expected, retried.get(r).get(), "retry on rank " + r);
      }
    }
  }
}
