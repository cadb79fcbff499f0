package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.protocol.v1.MemberStatus;
import dev.mmict.protocol.v1.MembershipEvent;
import dev.mmict.protocol.v1.MembershipEventKind;
import dev.mmict.protocol.v1.StatusReply;
import dev.mmict.protocol.v1.WorkerState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status document from a StatusReply, read back and printed as text, without a cluster. */
class StatusTextTest {

  private static StatusReply reply(double loss) {
    return StatusReply.newBuilder()
        .setStep(12)
        .setEpoch(1)
        .setPositionInEpoch(32)
        .setLastLoss(loss)
        .setSamplesPerSecond(6.25)
        .setStepsAborted(1)
        .addMembers(MemberStatus.newBuilder().setWorkerId("worker-1").setState(WorkerState.WORKER_STATE_ACTIVE)
            .setNodeAddress("pekko://mmict@127.0.0.1:40001").setProcessId(4242).setLastCompletedStep(11)
            .setSamplesPerSecond(3.5))
        .addMembers(MemberStatus.newBuilder().setWorkerId("worker-22").setState(WorkerState.WORKER_STATE_DEAD)
            .setNodeAddress("pekko://mmict@127.0.0.1:40002").setProcessId(77))
        .addRecentEvents(MembershipEvent.newBuilder().setUnixMillis(0).setWorkerId("worker-22")
            .setKind(MembershipEventKind.MEMBERSHIP_EVENT_KIND_JOINED).setStep(0))
        .addRecentEvents(MembershipEvent.newBuilder().setUnixMillis(61_500).setWorkerId("worker-22")
            .setKind(MembershipEventKind.MEMBERSHIP_EVENT_KIND_DIED).setStep(7).setDetail("unreachable"))
        .build();
  }

  private static final List<StatusJson.Node> NODES = List.of(
      new StatusJson.Node("127.0.0.1:2551", List.of("coordinator"), "Up", true),
      new StatusJson.Node("127.0.0.1:40002", List.of("worker"), "Up", false));

  @Test
  void theDocumentCarriesTheReplyWithReadableEnumsAndNullForMissingValues() {
    JsonNode doc = StatusClient.parse(StatusJson.write(StatusJson.of("shapes-7", "127.0.0.1:2551", reply(Double.NaN),
        NODES)), "test");
    assertEquals(12, doc.get("step").asLong());
    assertTrue(doc.get("last_loss").isNull(), "NaN loss is null, not an invalid JSON number");
    assertEquals(6.25, doc.get("samples_per_second").asDouble());
    assertEquals("ACTIVE", doc.get("members").get(0).get("state").asText());
    assertEquals(11, doc.get("members").get(0).get("last_completed_step").asLong());
    assertTrue(doc.get("members").get(1).get("last_completed_step").isNull());
    assertEquals("DIED", doc.get("recent_events").get(1).get("kind").asText());
    assertEquals("1970-01-01T00:01:01.500Z", doc.get("recent_events").get(1).get("time").asText());
    assertEquals("worker", doc.get("nodes").get(1).get("roles").get(0).asText());
  }

  @Test
  void theSummaryShowsTheRunLineAWorkerTableNodesAndEventsOldestFirst() {
    JsonNode doc = StatusClient.parse(StatusJson.write(StatusJson.of("shapes-7", "127.0.0.1:2551", reply(2.5),
        NODES)), "test");
    List<String> lines = StatusText.format(doc).lines().toList();
    assertEquals("run shapes-7 on coordinator 127.0.0.1:2551", lines.get(0));
    assertEquals("step 12 (epoch 1, 32 queries into it)  loss 2.5000  6.25 queries/s  aborted attempts 1",
        lines.get(1));
    assertEquals("workers (2):", lines.get(3));
    assertEquals("  WORKER     STATE   LAST STEP  QUERIES/S  PROCESS  NODE", lines.get(4));
    assertEquals("  worker-1   ACTIVE  11         3.50       4242     pekko://mmict@127.0.0.1:40001", lines.get(5));
    assertEquals("  worker-22  DEAD    -          0.00       77       pekko://mmict@127.0.0.1:40002", lines.get(6));
    assertEquals("nodes (2):", lines.get(8));
    assertEquals("  127.0.0.1:2551  coordinator  Up", lines.get(9));
    assertEquals("  127.0.0.1:40002  worker  Up  UNREACHABLE", lines.get(10));
    assertEquals("recent events (2, oldest first):", lines.get(12));
    assertEquals("  1970-01-01T00:00:00Z  worker-22  JOINED    step 0", lines.get(13));
    assertEquals("  1970-01-01T00:01:01.500Z  worker-22  DIED      step 7  unreachable", lines.get(14));
    assertEquals(15, lines.size());
  }

  @Test
  void aLossBeforeTheFirstStepPrintsAsADash() {
    JsonNode doc = StatusClient.parse(StatusJson.write(StatusJson.of("r", "c", reply(Double.NaN), NODES)), "test");
    assertTrue(StatusText.format(doc).contains("loss -  6.25 queries/s"), StatusText.format(doc));
  }

  @Test
  void malformedAnswersAreClusterErrorsNamingTheSource() {
    CommandFailure notJson = assertThrows(CommandFailure.class,
        () -> StatusClient.parse("<html>oops</html>", "http://h:1/status"));
    assertEquals(ExitCodes.CLUSTER_ERROR, notJson.exitCode());
    assertTrue(notJson.getMessage().contains("http://h:1/status") && notJson.getMessage().contains("not JSON"),
        notJson.getMessage());
    CommandFailure wrongShape = assertThrows(CommandFailure.class,
        () -> StatusClient.parse("{\"format\": 1, \"step\": 3}", "src"));
    assertTrue(wrongShape.getMessage().contains("no 'epoch'"), wrongShape.getMessage());
    CommandFailure array = assertThrows(CommandFailure.class, () -> StatusClient.parse("[1, 2]", "src"));
    assertTrue(array.getMessage().contains("not a JSON object"), array.getMessage());
  }

  @Test
  void theAddressMayBeHostPortOrAnHttpUrlAndAnythingElseIsAUsageError() {
    assertEquals("http://127.0.0.1:9100/status?events=5", StatusClient.statusUri("127.0.0.1:9100", 5).toString());
    assertEquals("http://node-a:80/status", StatusClient.statusUri("http://node-a:80/", 0).toString());
    for (String bad : List.of("127.0.0.1", "host:", "host:port", "http://h:1/metrics")) {
      CommandFailure f = assertThrows(CommandFailure.class, () -> StatusClient.statusUri(bad, 1), bad);
      assertEquals(ExitCodes.USAGE_ERROR, f.exitCode());
      assertTrue(f.getMessage().contains(bad), f.getMessage());
    }
  }
}
