package dev.mmict.ops.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmict.protocol.v1.MemberStatus;
import dev.mmict.protocol.v1.MembershipEvent;
import dev.mmict.protocol.v1.StatusReply;
import java.time.Instant;
import java.util.List;

/**
 * The JSON document {@code GET /status} serves on a coordinator node and {@code mmict status}
 * reads: the coordinator's {@link StatusReply} (step, epoch, loss, throughput, aborts, the workers
 * and the recent membership events) and the cluster's nodes with their roles, all snake_case.
 * Enum values lose their wire prefix ({@code WORKER_STATE_ACTIVE} is {@code ACTIVE}); a loss that
 * is NaN (no step committed yet) and an absent last step are {@code null}.
 */
public final class StatusJson {

  /** Key of the document's format version; bump the value when a key changes meaning. */
  public static final String FORMAT_KEY = "format";
  /** This build's format version. */
  public static final int FORMAT = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * A cluster node as Pekko sees it.
   *
   * @param address host:port of its cluster (Artery) endpoint
   * @param roles its roles ({@code coordinator}, {@code worker})
   * @param status its membership status ({@code Up}, {@code Leaving}, …)
   * @param reachable whether the failure detector of the answering node reaches it
   */
  public record Node(String address, List<String> roles, String status, boolean reachable) { }

  private StatusJson() { }

  /** The document for {@code reply}, answered by the coordinator node {@code coordinator} of run {@code run}. */
  public static ObjectNode of(String run, String coordinator, StatusReply reply, List<Node> nodes) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put(FORMAT_KEY, FORMAT);
    root.put("run", run);
    root.put("coordinator", coordinator);
    root.put("step", reply.getStep());
    root.put("epoch", reply.getEpoch());
    root.put("position_in_epoch", reply.getPositionInEpoch());
    putFinite(root, "last_loss", reply.getLastLoss());
    putFinite(root, "samples_per_second", reply.getSamplesPerSecond());
    root.put("steps_aborted", reply.getStepsAborted());
    ArrayNode members = root.putArray("members");
    for (MemberStatus m : reply.getMembersList()) {
      ObjectNode o = members.addObject();
      o.put("worker_id", m.getWorkerId());
      o.put("state", unprefixed(m.getState().name(), "WORKER_STATE_"));
      o.put("node_address", m.getNodeAddress());
      o.put("process_id", m.getProcessId());
      if (m.hasLastCompletedStep()) {
        o.put("last_completed_step", m.getLastCompletedStep());
      } else {
        o.putNull("last_completed_step");
      }
      putFinite(o, "samples_per_second", m.getSamplesPerSecond());
    }
    ArrayNode events = root.putArray("recent_events");
    for (MembershipEvent e : reply.getRecentEventsList()) {
      ObjectNode o = events.addObject();
      o.put("time", Instant.ofEpochMilli(e.getUnixMillis()).toString());
      o.put("unix_millis", e.getUnixMillis());
      o.put("worker_id", e.getWorkerId());
      o.put("kind", unprefixed(e.getKind().name(), "MEMBERSHIP_EVENT_KIND_"));
      o.put("step", e.getStep());
      o.put("detail", e.getDetail());
    }
    ArrayNode nodeArray = root.putArray("nodes");
    for (Node n : nodes) {
      ObjectNode o = nodeArray.addObject();
      o.put("address", n.address());
      ArrayNode roles = o.putArray("roles");
      n.roles().forEach(roles::add);
      o.put("status", n.status());
      o.put("reachable", n.reachable());
    }
    return root;
  }

  /** {@code document} as indented JSON text. */
  public static String write(ObjectNode document) {
    try {
      return MAPPER.writeValueAsString(document) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the status document as JSON: " + e.getMessage(), e);
    }
  }

  private static void putFinite(ObjectNode o, String key, double value) {
    if (Double.isFinite(value)) {
      o.put(key, value);
    } else {
      o.putNull(key);
    }
  }

  private static String unprefixed(String name, String prefix) {
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }
}
