package dev.mmict.protocol.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ExchangeMessagesTest {

  private static GradientChunk chunk() {
    return GradientChunk.newBuilder()
        .setStep(12)
        .setPlanId(3)
        .setSenderRank(2)
        .setPhase(ExchangePhase.EXCHANGE_PHASE_ALL_GATHER)
        .setChunkIndex(1)
        .setTotalChunks(4)
        .setElementOffset(5_000_000_000L)
        .setElementCount(2)
        .setEncoding(ElementEncoding.ELEMENT_ENCODING_FP16)
        .setPayload(ByteString.copyFrom(new byte[] {0, 0x3c, 0, (byte) 0xc0}))
        .setPayloadCrc32C(0xdeadbeef)
        .build();
  }

  @Test
  void gradientChunkRoundTripsEveryField() throws InvalidProtocolBufferException {
    GradientChunk chunk = chunk();
    GradientChunk back = GradientChunk.parseFrom(chunk.toByteArray());
    assertEquals(chunk, back);
    assertEquals(5_000_000_000L, back.getElementOffset());
    assertEquals(0xdeadbeef, back.getPayloadCrc32C());
    assertEquals(ElementEncoding.ELEMENT_ENCODING_FP16, back.getEncoding());
  }

  @Test
  void helloAndReplyRoundTripDelimitedOnOneStream() throws IOException {
    ExchangeHello hello =
        ExchangeHello.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setRank(1)
            .setWorldSize(3)
            .setStep(40)
            .setPlanId(4294967301L)
            .build();
    ExchangeHelloReply reply =
        ExchangeHelloReply.newBuilder().setAccepted(false).setRank(0).setReason("world size 3, expected 2").build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    hello.writeDelimitedTo(out);
    reply.writeDelimitedTo(out);
    chunk().writeDelimitedTo(out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertEquals(hello, ExchangeHello.parseDelimitedFrom(in));
    assertEquals(reply, ExchangeHelloReply.parseDelimitedFrom(in));
    assertEquals(chunk(), GradientChunk.parseDelimitedFrom(in));
    assertNull(GradientChunk.parseDelimitedFrom(in), "end of stream reads as null");
  }

  @Test
  void truncatedChunkIsRejected() {
    byte[] bytes = chunk().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(InvalidProtocolBufferException.class, () -> GradientChunk.parseFrom(truncated));
  }
}
