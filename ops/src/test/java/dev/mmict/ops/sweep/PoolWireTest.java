package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.protocol.MalformedMessageException;
import dev.mmict.protocol.v1.JoinTrial;
import dev.mmict.protocol.v1.PoolCommand;
import dev.mmict.protocol.v1.PoolEvent;
import dev.mmict.protocol.v1.PoolWorkerReady;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.Shutdown;
import dev.mmict.protocol.v1.TrialLeft;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolWireTest {

  @Test
  void everyCommandRoundTripsOnOneLine() {
    PoolCommand join = PoolCommand.newBuilder().setJoinTrial(JoinTrial.newBuilder()
        .setTrialId("trial-003").setStopAt(8).setConfigPath("/s/trials/trial-003/config.yaml")
        .setSeed("127.0.0.1:40123").setResumeFrom("/s/trials/trial-003/checkpoints/step-00000004")
        .setFinalState("/s/trials/trial-003/workers/pool-2.final.safetensors").setCoordinatorPid(4242)
        .setDeterministic(true)).build();
    PoolCommand shutdown = PoolCommand.newBuilder().setShutdown(Shutdown.newBuilder().setReason("done")).build();
    for (PoolCommand c : new PoolCommand[] {join, shutdown}) {
      String line = PoolWire.line(c);
      assertTrue(line.startsWith(PoolWire.PREFIX) && !line.contains("\n"), line);
      assertEquals(Optional.of(c), PoolWire.command(line));
    }
  }

  @Test
  void everyEventRoundTripsOnOneLine() {
    PoolEvent ready = PoolEvent.newBuilder().setReady(PoolWorkerReady.newBuilder().setWorkerId("pool-1")
        .setPid(77).setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)).build();
    PoolEvent left = PoolEvent.newBuilder().setLeft(TrialLeft.newBuilder().setTrialId("trial-000").setStopAt(4)
        .setCompleted(false).setDetail("the coordinator's process ended")).build();
    for (PoolEvent e : new PoolEvent[] {ready, left}) {
      assertEquals(Optional.of(e), PoolWire.event(PoolWire.line(e)));
    }
  }

  @Test
  void linesWithoutThePrefixAreNoMessagesAndBadOnesAreErrors() {
    assertEquals(Optional.empty(), PoolWire.event("OpenJDK 64-Bit Server VM warning: something"));
    assertEquals(Optional.empty(), PoolWire.command(""));
    IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class,
        () -> PoolWire.event(PoolWire.PREFIX + "not base64 at all!"));
    assertTrue(notBase64.getMessage().contains("not base64"), notBase64.getMessage());
    // Valid base64 of bytes that are no protobuf message (a truncated field).
    assertThrows(MalformedMessageException.class, () -> PoolWire.command(PoolWire.PREFIX + "Cg=="));
  }
}
