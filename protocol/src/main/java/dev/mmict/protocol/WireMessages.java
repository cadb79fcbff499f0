package dev.mmict.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.CheckpointWritten;
import dev.mmict.protocol.v1.LeaveAccepted;
import dev.mmict.protocol.v1.LeaveNotice;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.RegistrationAccepted;
import dev.mmict.protocol.v1.RegistrationRefused;
import dev.mmict.protocol.v1.RunFinished;
import dev.mmict.protocol.v1.StateTransferChunk;
import dev.mmict.protocol.v1.StateTransferDone;
import dev.mmict.protocol.v1.StateTransferRequest;
import dev.mmict.protocol.v1.StatusQuery;
import dev.mmict.protocol.v1.StatusReply;
import dev.mmict.protocol.v1.StepAborted;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns wire bytes into messages, either as a type the caller expects or by type name (a
 * serializer manifest), and fails with an exception that names the type instead of protobuf's
 * bare "input ended unexpectedly".
 *
 * <p>Unknown fields are kept, not rejected: a newer peer may add fields (never renumbered, see
 * the .proto files), and protocol compatibility is decided by the handshake's version. Bytes that
 * happen to be well-formed protobuf but mean nothing are therefore accepted here; receivers check
 * the values (ids, steps, sizes) they act on.
 */
public final class WireMessages {

  /** The control-plane messages between coordinator and workers (the top-level ones only). */
  public static final WireMessages CONTROL =
      of(
          RegisterWorker.getDefaultInstance(),
          RegistrationAccepted.getDefaultInstance(),
          RegistrationRefused.getDefaultInstance(),
          StepPlan.getDefaultInstance(),
          StepResult.getDefaultInstance(),
          StepAborted.getDefaultInstance(),
          LeaveNotice.getDefaultInstance(),
          LeaveAccepted.getDefaultInstance(),
          StateTransferRequest.getDefaultInstance(),
          StateTransferChunk.getDefaultInstance(),
          StateTransferDone.getDefaultInstance(),
          StatusQuery.getDefaultInstance(),
          StatusReply.getDefaultInstance(),
          RunFinished.getDefaultInstance(),
          CheckpointRequest.getDefaultInstance(),
          CheckpointWritten.getDefaultInstance());

  private final Map<String, Message> prototypes;

  private WireMessages(Map<String, Message> prototypes) {
    this.prototypes = Collections.unmodifiableMap(prototypes);
  }

  /** A registry of the given message types, each given by its default instance. */
  public static WireMessages of(Message... prototypes) {
    return new WireMessages(new LinkedHashMap<>()).with(prototypes);
  }

  /** This registry plus {@code more} message types (e.g. the data plane's). */
  public WireMessages with(Message... more) {
    Map<String, Message> all = new LinkedHashMap<>(prototypes);
    for (Message prototype : more) {
      Objects.requireNonNull(prototype, "message prototype");
      Message previous = all.putIfAbsent(typeName(prototype), prototype.getDefaultInstanceForType());
      if (previous != null && previous.getClass() != prototype.getClass()) {
        throw new IllegalArgumentException(
            "Two classes claim wire type " + typeName(prototype) + ": " + previous.getClass()
                + " and " + prototype.getClass());
      }
    }
    return new WireMessages(all);
  }

  /** The protobuf full names this registry parses, sorted. */
  public Set<String> typeNames() {
    return Collections.unmodifiableSet(new TreeSet<>(prototypes.keySet()));
  }

  /**
   * Parses {@code bytes} as the type named {@code typeName} (a protobuf full name such as
   * "mmict.v1.StepPlan").
   *
   * @throws UnknownMessageTypeException when the registry does not know the type
   * @throws MalformedMessageException when the bytes are not a valid encoding of it
   */
  public Message parse(String typeName, byte[] bytes) {
    Objects.requireNonNull(typeName, "message type name");
    Objects.requireNonNull(bytes, () -> "bytes of " + typeName);
    Message prototype = prototypes.get(typeName);
    if (prototype == null) {
      throw new UnknownMessageTypeException(typeName, bytes.length, typeNames());
    }
    return parse(prototype, bytes);
  }

  /**
   * Parses {@code bytes} as the type of {@code prototype} (e.g. {@code
   * StepPlan.getDefaultInstance()}).
   *
   * @throws MalformedMessageException when the bytes are not a valid encoding of that type
   */
  public static <T extends Message> T parse(T prototype, byte[] bytes) {
    String typeName = typeName(prototype);
    Objects.requireNonNull(bytes, () -> "bytes of " + typeName);
    try {
      @SuppressWarnings("unchecked") // a generated message's parser yields its own class
      T message = (T) prototype.getParserForType().parseFrom(bytes);
      return message;
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException(typeName, bytes.length, e);
    }
  }

  /** The wire type name of a message: its protobuf full name, e.g. "mmict.v1.StepPlan". */
  public static String typeName(Message message) {
    return message.getDescriptorForType().getFullName();
  }

  @Override
  public String toString() {
    return "WireMessages" + Arrays.toString(typeNames().toArray());
  }
}
