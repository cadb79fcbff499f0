package dev.mmict.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import dev.mmict.protocol.v1.CheckpointProto;
import dev.mmict.protocol.v1.Handshake;
import dev.mmict.protocol.v1.LeaveProto;
import dev.mmict.protocol.v1.StateTransferProto;
import dev.mmict.protocol.v1.StatusProto;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepProto;
import dev.mmict.protocol.v1.StepResult;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WireMessagesTest {

  private static final List<FileDescriptor> CONTROL_FILES =
      List.of(
          Handshake.getDescriptor(),
          StepProto.getDescriptor(),
          LeaveProto.getDescriptor(),
          StateTransferProto.getDescriptor(),
          StatusProto.getDescriptor(),
          CheckpointProto.getDescriptor());

  static Stream<Message> messages() {
    return FullMessages.all().stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("messages")
  void everyFieldIsSetAndRoundTrips(Message message) {
    assertEquals(List.of(), FullMessages.unsetFields(message), "fields the sample leaves unset");
    byte[] bytes = message.toByteArray();
    Message back = WireMessages.CONTROL.parse(WireMessages.typeName(message), bytes);
    assertEquals(message, back);
    assertEquals(message.getClass(), back.getClass());
    assertArrayEquals(bytes, back.toByteArray());
    assertEquals(message, WireMessages.parse(message.getDefaultInstanceForType(), bytes));
  }

  @Test
  void everyMessageOfTheControlFilesHasAFullSample() {
    Set<String> declared = new TreeSet<>();
    for (FileDescriptor file : CONTROL_FILES) {
      for (Descriptor type : file.getMessageTypes()) {
        declared.add(type.getFullName());
      }
    }
    Set<String> covered = new TreeSet<>();
    for (Message m : FullMessages.all()) {
      collectTypes(m.getDescriptorForType(), covered);
    }
    assertEquals(declared, covered);
  }

  @Test
  void theControlRegistryHoldsEveryTopLevelSample() {
    Set<String> samples =
        FullMessages.all().stream().map(WireMessages::typeName).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(samples, WireMessages.CONTROL.typeNames());
  }

  @Test
  void truncatedBytesNameTheType() {
    byte[] bytes = FullMessages.all().stream().filter(m -> m instanceof StepPlan).findFirst()
        .orElseThrow().toByteArray();
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
    MalformedMessageException e =
        assertThrows(
            MalformedMessageException.class,
            () -> WireMessages.CONTROL.parse("mmict.v1.StepPlan", truncated));
    assertEquals("mmict.v1.StepPlan", e.messageType());
    assertTrue(e.getMessage().startsWith("Malformed mmict.v1.StepPlan: " + truncated.length + " bytes"),
        e.getMessage());
  }

  @Test
  void garbageBytesNameTheType() {
    // Tag 0xFF 0xFF …: field 2047 (a varint run that never ends within the buffer), then wire
    // type 7, which does not exist: no reading of these bytes is valid protobuf.
    byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x07, 0x01};
    MalformedMessageException e =
        assertThrows(
            MalformedMessageException.class,
            () -> WireMessages.parse(StepResult.getDefaultInstance(), garbage));
    assertEquals("mmict.v1.StepResult", e.messageType());
    assertTrue(e.getMessage().contains("mmict.v1.StepResult"), e.getMessage());
  }

  @Test
  void aLengthPrefixPointingPastTheEndIsMalformed() {
    // Field 3 (plan_id), length-delimited, claiming 100 bytes of which 2 arrive.
    byte[] bytes = {0x1A, 100, 'a', 'b'};
    assertThrows(
        MalformedMessageException.class,
        () -> WireMessages.CONTROL.parse("mmict.v1.StepPlan", bytes));
  }

  @Test
  void anUnknownTypeIsRejectedByName() {
    UnknownMessageTypeException e =
        assertThrows(
            UnknownMessageTypeException.class,
            () -> WireMessages.CONTROL.parse("mmict.v1.NoSuchThing", new byte[3]));
    assertEquals("mmict.v1.NoSuchThing", e.messageType());
    assertTrue(e.getMessage().contains("mmict.v1.StepPlan"), "lists the known types: " + e.getMessage());
  }

  @Test
  void aRegistryCanBeExtended() {
    WireMessages only = WireMessages.of(StepPlan.getDefaultInstance());
    assertEquals(Set.of("mmict.v1.StepPlan"), only.typeNames());
    WireMessages two = only.with(StepResult.getDefaultInstance());
    assertEquals(Set.of("mmict.v1.StepPlan", "mmict.v1.StepResult"), two.typeNames());
    assertThrows(UnknownMessageTypeException.class, () -> only.parse("mmict.v1.StepResult", new byte[0]));
    assertEquals(StepResult.getDefaultInstance(), two.parse("mmict.v1.StepResult", new byte[0]));
  }

  private static void collectTypes(Descriptor type, Set<String> out) {
    if (out.add(type.getFullName())) {
      type.getFields().stream()
          .filter(f -> f.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE)
          .forEach(f -> collectTypes(f.getMessageType(), out));
    }
  }
}
