package dev.mmict.ops.cluster;

import dev.mmict.coordinator.cluster.CoordinatorNode;
import dev.mmict.ops.http.MetricsServer;
import dev.mmict.protocol.v1.StatusQuery;
import dev.mmict.protocol.v1.StatusReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.singleton.ClusterSingletonProxy;
import org.apache.pekko.cluster.singleton.ClusterSingletonProxySettings;
import org.apache.pekko.pattern.Patterns;

/**
 * The {@code /status} of a coordinator node: asks the coordinator singleton (through a proxy, so
 * it works wherever the singleton runs) for its {@link StatusReply}, adds the cluster's nodes as
 * this node sees them, and writes the {@link StatusJson} document. Each ask waits at most the
 * given timeout.
 */
final class CoordinatorStatus implements MetricsServer.StatusEndpoint {

  private final ActorSystem system;
  private final ActorRef proxy;
  private final String run;
  private final Duration timeout;

  /** Asks on {@code system} for run {@code run}, each ask at most {@code timeout}. */
  CoordinatorStatus(ActorSystem system, String run, Duration timeout) {
    this.system = system;
    this.run = run;
    this.timeout = timeout;
    this.proxy = system.actorOf(ClusterSingletonProxy.props("/user/" + CoordinatorNode.MANAGER_NAME,
        ClusterSingletonProxySettings.create(system).withRole(CoordinatorNode.ROLE)), "status-proxy");
  }

  @Override
  public String json(int maxEvents) throws InterruptedException, TimeoutException {
    StatusQuery query = StatusQuery.newBuilder().setMaxEvents(maxEvents).build();
    Object answer;
    try {
      answer = Patterns.ask(proxy, query, timeout).toCompletableFuture()
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      TimeoutException t = new TimeoutException("the coordinator singleton did not answer within " + timeout
          + " (not started yet, or the run has ended): " + e.getCause());
      t.initCause(e.getCause());
      throw t;
    }
    if (!(answer instanceof StatusReply reply)) {
      throw new IllegalStateException("the coordinator answered a StatusQuery with a "
          + answer.getClass().getName() + ", not a StatusReply");
    }
    return StatusJson.write(StatusJson.of(run, hostPort(Cluster.get(system).selfAddress()), reply, nodes()));
  }

  private List<StatusJson.Node> nodes() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    Set<Member> unreachable = state.getUnreachable();
    List<StatusJson.Node> out = new ArrayList<>();
    for (Member m : state.getMembers()) {
      List<String> roles = m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
      out.add(new StatusJson.Node(hostPort(m.address()), roles, m.status().toString(), !unreachable.contains(m)));
    }
    return out;
  }

  private static String hostPort(Address a) {
    return (a.host().isDefined() ? a.host().get() : "?") + ":" + (a.port().isDefined() ? a.port().get() : "?");
  }
}
