package dev.mmict.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.mmict.protocol.WireMessages;
import dev.mmict.protocol.v1.StepPlan;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.serialization.ProtobufSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every control message goes through Pekko's ProtobufSerializer (protocol's reference.conf). */
class ProtocolSerializationTest {

  private static ActorSystem system;

  @BeforeAll
  static void start() {
    // The same binding a cluster node uses; remoting itself is not needed to check it.
    system = ActorSystem.create("serialization", ConfigFactory.parseString(
        "pekko.actor.provider = local\npekko.actor.serialize-messages = off").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void everyControlMessageRoundTripsThroughTheProtobufSerializer() throws Exception {
    Serialization serialization = SerializationExtension.get(system);
    for (String type : WireMessages.CONTROL.typeNames()) {
      Message sample = WireMessages.CONTROL.parse(type, new byte[0]);
      Serializer serializer = serialization.findSerializerFor(sample);
      assertInstanceOf(ProtobufSerializer.class, serializer, type);
      byte[] bytes = serialization.serialize(sample).get();
      String manifest = Serializers.manifestFor(serializer, sample);
      Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
      assertEquals(sample, back, type);
    }
  }

  @Test
  void malformedBytesFailDeserialisationInsteadOfYieldingAMessage() {
    Serialization serialization = SerializationExtension.get(system);
    Serializer serializer = serialization.findSerializerFor(StepPlan.getDefaultInstance());
    byte[] garbage = {(byte) 0x0f, 1, 2}; // field 1, wire type 7: not protobuf
    Throwable failure = serialization.deserialize(garbage, serializer.identifier(), StepPlan.class.getName())
        .failed().get();
    assertInstanceOf(InvalidProtocolBufferException.class, rootCause(failure), failure.toString());
    Throwable unknown = serialization.deserialize(new byte[0], serializer.identifier(), "mmict.NoSuchMessage")
        .failed().get();
    assertInstanceOf(java.io.NotSerializableException.class, rootCause(unknown), unknown.toString());
    assertTrue(unknown.getMessage().contains("mmict.NoSuchMessage"), unknown.getMessage());
  }

  @Test
  void javaSerialisationIsOff() {
    Serialization serialization = SerializationExtension.get(system);
    assertThrows(Exception.class, () -> serialization.findSerializerFor(new java.util.ArrayList<String>()).toBinary(
        new java.util.ArrayList<String>()));
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
