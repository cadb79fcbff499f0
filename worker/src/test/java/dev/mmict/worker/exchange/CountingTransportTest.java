package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.GradientChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sent chunks are counted by their serialized size, across transports sharing one counter. */
class CountingTransportTest {

  private static GradientChunk chunk(int payloadBytes) {
    return GradientChunk.newBuilder().setStep(3).setPayload(ByteString.copyFrom(new byte[payloadBytes])).build();
  }

  @Test
  void countsWhatWasSentNotWhatWasReceivedAndKeepsCountingOverTransports() throws Exception {
    AtomicLong sent = new AtomicLong();
    GradientChunk a = chunk(100);
    GradientChunk b = chunk(7);
    LoopbackNetwork net = new LoopbackNetwork(2);
    try (Transport zero = new CountingTransport(net.transport(0), sent);
        Transport one = new CountingTransport(net.transport(1), sent)) {
      zero.send(1, a, Duration.ofSeconds(1));
      assertEquals(a.getSerializedSize(), sent.get());
      assertEquals(a, one.receive(0, Duration.ofSeconds(1)).orElseThrow());
      assertEquals(a.getSerializedSize(), sent.get(), "receiving adds nothing");
      one.send(0, b, Duration.ofSeconds(1));
    }
    // step 3 (1 byte tag + 1 byte value) + payload (1 byte tag + 1 byte length + bytes)
    assertEquals((2 + 2 + 100) + (2 + 2 + 7), sent.get());
  }

  @Test
  void aChunkEncodedByTheTransportCountsItsWholeSerializedSize() throws Exception {
    AtomicLong sent = new AtomicLong();
    byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8};
    OutgoingChunk chunk = new OutgoingChunk(GradientChunk.newBuilder().setStep(3).build(), payload.length,
        target -> target.put(payload));
    LoopbackNetwork net = new LoopbackNetwork(2);
    try (Transport zero = new CountingTransport(net.transport(0), sent)) {
      zero.send(1, chunk, Duration.ofSeconds(1));
      GradientChunk received = net.transport(1).receive(0, Duration.ofSeconds(1)).orElseThrow();
      assertEquals(ByteString.copyFrom(payload), received.getPayload());
      // step (2 bytes) + payload (1 tag + 1 length + 8) + CRC (1 tag + 4)
      assertEquals(2 + 10 + 5, sent.get());
      assertEquals(received.getSerializedSize(), sent.get());
    }
  }

  @Test
  void aFailedSendCountsNothing() {
    AtomicLong sent = new AtomicLong();
    LoopbackNetwork net = new LoopbackNetwork(2);
    Transport zero = new CountingTransport(net.transport(0), sent);
    zero.close();
    assertThrows(IOException.class, () -> zero.send(1, chunk(10), Duration.ofSeconds(1)));
    assertEquals(0, sent.get());
  }
}
