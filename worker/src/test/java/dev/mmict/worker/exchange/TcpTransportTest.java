package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.protocol.v1.ElementEncoding;
import dev.mmict.protocol.v1.ExchangePhase;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpTransportTest {

  private static final Duration CONNECT = Duration.ofSeconds(10);

  /** Three listeners on 127.0.0.1 with free ports. */
  private static List<ServerSocket> listeners(int n) throws IOException {
    List<ServerSocket> listeners = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      listeners.add(TcpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }
    return listeners;
  }

  private static List<InetSocketAddress> addresses(List<ServerSocket> listeners) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (ServerSocket l : listeners) {
      addresses.add((InetSocketAddress) l.getLocalSocketAddress());
    }
    return addresses;
  }

  private static void closeAll(List<ServerSocket> listeners) throws IOException {
    for (ServerSocket l : listeners) {
      l.close();
    }
  }

  @Test
  void threeRanksAllReduceOverLoopbackTcp() throws Exception {
    int n = 3;
    int length = 100_003; // not divisible by 3, many chunks
    Random random = new Random(11);
    long[][] fixed = new long[n][length];
    float[][] floats = new float[n][length];
    long[] fixedSum = new long[length];
    float[] floatSum = new float[length];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < length; i++) {
        fixed[r][i] = random.nextLong() >> 4;
        fixedSum[i] += fixed[r][i];
        floats[r][i] = random.nextInt(1 << 12); // integers: the FP32 sum is exact in any order
        floatSum[i] += floats[r][i];
      }
    }
    List<ServerSocket> listeners = listeners(n);
    List<InetSocketAddress> peers = addresses(listeners);
    ExchangeSettings settings = new ExchangeSettings(4096, Duration.ofSeconds(10));
    try {
      var outcomes = Ranks.run(n, 60, rank -> {
        try (TcpTransport t = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(100, 0), CONNECT)) {
          RingAllReduce ring = new RingAllReduce(t, settings);
          // two steps over the same connections
          ring.allReduceFixed(new ExchangeRound(100, 1), fixed[rank]);
          ring.allReduceFloats(new ExchangeRound(101, 1), floats[rank], ElementEncoding.ELEMENT_ENCODING_FP32);
          return null;
        }
      });
      for (int r = 0; r < n; r++) {
        outcomes.get(r).get();
        assertArrayEquals(fixedSum, fixed[r], "fixed-point sum on rank " + r);
        assertArrayEquals(floatSum, floats[r], "float sum on rank " + r);
      }
    } finally {
      closeAll(listeners);
    }
  }

  @Test
  void corruptionOnTheWireIsDetectedAndTheStepRetriedOverTheSameConnections() throws Exception {
    int n = 3;
    int length = 1000;
    long[][] inputs = new long[n][length];
    long[] expected = new long[length];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < length; i++) {
        inputs[r][i] = (long) (r + 1) * i - 7;
        expected[i] += inputs[r][i];
      }
    }
    List<ServerSocket> listeners = listeners(n);
    List<InetSocketAddress> peers = addresses(listeners);
    ExchangeSettings settings = new ExchangeSettings(100, Duration.ofMillis(500));
    try {
      var outcomes = Ranks.run(n, 60, rank -> {
        try (TcpTransport tcp = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(0, 0), CONNECT)) {
          Transport t = rank != 0 ? tcp : new FaultyTransport(tcp, FaultyTransport.Fault.CORRUPT_BYTE,
              c -> c.getPhase() == ExchangePhase.EXCHANGE_PHASE_ALL_GATHER);
          RingAllReduce ring = new RingAllReduce(t, settings);
          ExchangeException first = null;
          try {
            ring.allReduceFixed(new ExchangeRound(0, 1), inputs[rank].clone());
          } catch (ExchangeException e) {
            first = e;
          }
          long[] data = inputs[rank].clone();
          ring.allReduceFixed(new ExchangeRound(0, 2), data); // the retry, with a new plan id
          return new Object[] {first, data};
        }
      });
      ExchangeException atReceiver = (ExchangeException) outcomes.get(1).get()[0];
      assertEquals(ExchangeException.Reason.CORRUPT, atReceiver.reason());
      assertEquals(0, atReceiver.peerRank());
      assertEquals(0, atReceiver.chunkIndex());
      for (int r = 0; r < n; r++) {
        assertArrayEquals(expected, (long[]) outcomes.get(r).get()[1], "retry on rank " + r);
      }
    } finally {
      closeAll(listeners);
    }
  }

  @Test
  void attemptsAbortedMidExchangeLeaveNoFrameBufferBehindAndRetriesOverTheSameConnectionsWork() throws Exception {
    int n = 3;
    int length = 3000; // 10 chunks of 100 per segment: 40 frames in and 40 out per rank and attempt
    int rounds = 4;
    long[][] inputs = new long[n][length];
    long[] expected = new long[length];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < length; i++) {
        inputs[r][i] = (long) (r + 3) * i * 1_000_003L - 11;
        expected[i] += inputs[r][i];
      }
    }
    List<ServerSocket> listeners = listeners(n);
    List<InetSocketAddress> peers = addresses(listeners);
    ExchangeSettings settings = new ExchangeSettings(100, Duration.ofMillis(300));
    try {
      var outcomes = Ranks.run(n, 90, rank -> {
        try (TcpTransport tcp = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(0, 0), CONNECT)) {
          // Round 0 aborts on a wrongly sized all-gather chunk from rank 0, later rounds on rank 1
          // using a vector one element longer than the others: both mid-exchange.
          Transport t = rank != 0 ? tcp : new FaultyTransport(tcp, FaultyTransport.Fault.WRONG_SIZE,
              c -> c.getPhase() == ExchangePhase.EXCHANGE_PHASE_ALL_GATHER && c.getChunkIndex() == 4);
          RingAllReduce ring = new RingAllReduce(t, settings);
          int aborted = 0;
          List<Long> created = new ArrayList<>();
          for (int round = 0; round < rounds; round++) {
            long[] wrong = rank == 1 && round > 0 ? new long[length + 1] : inputs[rank].clone();
            try {
              ring.allReduceFixed(new ExchangeRound(round, 2L * round + 1), wrong);
            } catch (ExchangeException e) {
              aborted++;
            }
            long[] data = inputs[rank].clone();
            ring.allReduceFixed(new ExchangeRound(round, 2L * round + 2), data);
            assertArrayEquals(expected, data, "retry of round " + round + " on rank " + rank);
            created.add(tcp.pool().created());
          }
          // Once the peers are done too, every frame is back: none stays lent, queued or lost.
          long deadline = System.nanoTime() + 5_000_000_000L;
          while (tcp.pool().outstanding() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          return new long[] {aborted, tcp.pool().outstanding(), created.get(rounds - 1)};
        }
      });
      int abortedAnywhere = 0;
      for (int r = 0; r < n; r++) {
        long[] result = outcomes.get(r).get();
        abortedAnywhere = Math.max(abortedAnywhere, (int) result[0]);
        assertEquals(0, result[1], "frame buffers still out of rank " + r + "'s pool");
        // 8 attempts moved up to 640 frames through each rank; without reuse each needs a buffer.
        assertTrue(result[2] <= 100, "rank " + r + " allocated " + result[2] + " frame buffers");
      }
      assertEquals(rounds, abortedAnywhere, "every first attempt must have failed somewhere");
    } finally {
      closeAll(listeners);
    }
  }

  @Test
  void helloWithAnotherStepIsRefusedAndBothSidesGiveUpInTime() throws Exception {
    List<ServerSocket> listeners = listeners(2);
    List<InetSocketAddress> peers = addresses(listeners);
    Duration shortTimeout = Duration.ofMillis(1500);
    long start = System.nanoTime();
    try {
      var outcomes = Ranks.run(2, 20, rank -> {
        try (TcpTransport t = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(rank == 0 ? 8 : 7, 0), shortTimeout)) {
          return t;
        }
      });
      double seconds = (System.nanoTime() - start) / 1e9;
      for (var outcome : outcomes) {
        IOException e = assertInstanceOf(IOException.class, outcome.error());
        assertTrue(e.getMessage().contains("refused") || e.getMessage().contains("no data-plane connection"),
            e.getMessage());
      }
      String messages = outcomes.get(0).error().getMessage() + " | " + outcomes.get(1).error().getMessage();
      assertTrue(messages.contains("step 7, this worker is at step 8") || messages.contains("step 8, this worker is at step 7"),
          messages);
      assertTrue(seconds < 6, "refused setup took " + seconds + " s with a 1.5 s timeout");
    } finally {
      closeAll(listeners);
    }
  }

  /**
   * A worker that gave up on an aborted attempt leaves its connection in the peer's listen backlog,
   * hello already sent, socket already closed. The retried attempt (same step, next plan id) must
   * refuse it and take the live connection: accepting it made every retry fail on its dead link
   * (the standby coordinator re-planned step 2 for minutes in CoordinatorFailoverTest).
   */
  @Test
  void aLeftoverConnectionOfAnAbortedAttemptOfTheSameStepIsRefusedAndTheRetryConnects() throws Exception {
    List<ServerSocket> listeners = listeners(2);
    List<InetSocketAddress> peers = addresses(listeners);
    try {
      try (java.net.Socket stale = new java.net.Socket()) {
        stale.connect(peers.get(1));
        dev.mmict.protocol.v1.ExchangeHello.newBuilder()
            .setProtocolVersion(dev.mmict.protocol.v1.ProtocolVersion.PROTOCOL_VERSION_1)
            .setRank(0).setWorldSize(2).setStep(2).setPlanId(6)
            .build().writeDelimitedTo(stale.getOutputStream());
      } // closed: only the backlog and the socket buffer remember it
      long[][] values = {{1, 2, 3}, {10, 20, 30}};
      var outcomes = Ranks.run(2, 20, rank -> {
        try (TcpTransport t = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(2, 7), CONNECT)) {
          new RingAllReduce(t, new ExchangeSettings(2, Duration.ofSeconds(10)))
              .allReduceFixed(new ExchangeRound(2, 7), values[rank]);
          return null;
        }
      });
      for (int r = 0; r < 2; r++) {
        outcomes.get(r).get();
        assertArrayEquals(new long[] {11, 22, 33}, values[r], "sum on rank " + r);
      }
    } finally {
      closeAll(listeners);
    }
  }

  @Test
  void aPeerThatClosesItsTransportFailsTheOthersReceiveWithTransportError() throws Exception {
    List<ServerSocket> listeners = listeners(2);
    List<InetSocketAddress> peers = addresses(listeners);
    try {
      var outcomes = Ranks.run(2, 20, rank -> {
        try (TcpTransport t = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(0, 0), CONNECT)) {
          if (rank == 1) {
            return null; // leaves at once: closing its sockets
          }
          new RingAllReduce(t, new ExchangeSettings(4, Duration.ofSeconds(10)))
              .allReduceFixed(new ExchangeRound(0, 1), new long[16]);
          return null;
        }
      });
      ExchangeException e = assertInstanceOf(ExchangeException.class, outcomes.get(0).error());
      assertEquals(ExchangeException.Reason.TRANSPORT, e.reason());
      assertEquals(1, e.peerRank());
      assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
    } finally {
      closeAll(listeners);
    }
  }

  @Test
  void framesWithGarbledOrTruncatedLengthsAreRefused() throws IOException {
    byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}; // varint ~268M
    IOException tooLong = assertThrows(IOException.class,
        () -> FrameIO.readFrame(new ByteArrayInputStream(huge), 1 << 20));
    assertTrue(tooLong.getMessage().contains("garbled"), tooLong.getMessage());
    assertThrows(EOFException.class, () -> FrameIO.readFrame(new ByteArrayInputStream(new byte[] {5, 1, 2}), 100));
    assertTrue(FrameIO.readFrame(new ByteArrayInputStream(new byte[0]), 100).isEmpty());
    assertArrayEquals(new byte[] {9, 8}, FrameIO.readFrame(new ByteArrayInputStream(new byte[] {2, 9, 8}), 100).get());
  }
}
