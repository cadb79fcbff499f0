package dev.mmict.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.worker.exchange.ExchangeSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker registers with the coordinator only once its node is {@code Up}: the split brain
 * resolver counts {@code Up} members only, so workers still {@code Joining} would leave the two
 * coordinators alone in a one-against-one tie when the active one dies (CI saw the standby down
 * itself and both workers that way). The tests hold the worker {@code Joining} with the leader's
 * {@code min-nr-of-members} gate for the worker role: two worker nodes must have joined before
 * any member is moved up.
 */
class WorkerMembershipTest {

  private static final Duration BOUND = Duration.ofSeconds(30);

  private final List<ActorSystem> systems = new ArrayList<>();
  private NDManager manager;
  private Replica replica;
  private DataPlane dataPlane;
  private Address seed;

  @BeforeEach
  void seedNode() throws IOException {
    ActorSystem coordinatorNode = node(WorkerNode.COORDINATOR_ROLE);
    seed = Cluster.get(coordinatorNode).selfAddress();
    Cluster.get(coordinatorNode).join(seed);
    manager = NDManager.newBaseManager();
    replica = TinyReplicas.create(manager, true);
    dataPlane = new DataPlane("127.0.0.1", 0, ExchangeSettings.DEFAULTS);
  }

  @AfterEach
  void close() throws Exception {
    for (ActorSystem s : systems) {
      s.terminate();
    }
    for (ActorSystem s : systems) {
      s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    dataPlane.close();
    replica.close();
    manager.close();
  }

  @Test
  @Timeout(120)
  void aJoiningWorkerWaitsAndRegistersOnceItsNodeIsUp() throws Exception {
    BlockingQueue<Object> toCoordinator = new LinkedBlockingQueue<>();
    ActorSystem workerNode = joiningWorker(Duration.ofSeconds(60), toCoordinator, new CompletableFuture<>());

    // Twenty registration ticks while Joining: nothing reaches the coordinator.
    assertNull(toCoordinator.poll(2, TimeUnit.SECONDS), "a Joining worker sent a registration");
    assertEquals(MemberStatus.joining(), Cluster.get(workerNode).selfMember().status(),
        "the gate held the worker Joining for the whole wait");

    // A second worker node meets the gate; the leader moves every member up, and the worker registers.
    Cluster.get(node(WorkerNode.ROLE)).join(seed);
    Object first = toCoordinator.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertNotNull(first, "no registration within " + BOUND + " of the node's move up");
    RegisterWorker registration = (RegisterWorker) first;
    assertEquals("w1", registration.getWorkerId());
    assertEquals(Cluster.get(workerNode).selfAddress().toString(), registration.getNodeAddress());
    assertEquals(MemberStatus.up(), Cluster.get(workerNode).selfMember().status());
  }

  @Test
  @Timeout(120)
  void aWorkerWhoseNodeNeverComesUpStopsNamingItsStatus() throws Exception {
    BlockingQueue<Object> toCoordinator = new LinkedBlockingQueue<>();
    CompletableFuture<WorkerActor.Exit> exit = new CompletableFuture<>();
    joiningWorker(Duration.ofSeconds(1), toCoordinator, exit);

    WorkerActor.Exit how = exit.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertFalse(how.ok());
    assertTrue(how.reason().contains("still Joining"), how.reason());
    assertTrue(toCoordinator.isEmpty(), "registrations sent: " + toCoordinator);
  }

  /**
   * A worker node held {@code Joining} by the gate, running worker "w1" (registering every 100 ms,
   * giving up after {@code registrationTimeout}) whose coordinator proxy records into {@code
   * toCoordinator}.
   */
  private ActorSystem joiningWorker(Duration registrationTimeout, BlockingQueue<Object> toCoordinator,
      CompletableFuture<WorkerActor.Exit> exit) throws InterruptedException {
    ActorSystem workerNode = node(WorkerNode.ROLE);
    Cluster.get(workerNode).join(seed);
    ActorRef coordinator = workerNode.actorOf(Props.create(Recorder.class, () -> new Recorder(toCoordinator)));
    awaitStatus(workerNode, MemberStatus.joining());
    WorkerActor.Identity identity = new WorkerActor.Identity("w1", "fingerprint", Duration.ofMillis(100),
        registrationTimeout, Duration.ofSeconds(5));
    workerNode.actorOf(WorkerActor.props(replica, dataPlane, identity, coordinator, exit), "worker");
    return workerNode;
  }

  /** A cluster node on loopback whose leader moves no member up before two worker nodes joined. */
  private ActorSystem node(String role) {
    Config config = ConfigFactory.parseString(String.join("\n",
        "pekko.loglevel = WARNING",
        "pekko.stdout-loglevel = OFF",
        "pekko.actor.provider = cluster",
        "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.cluster.roles = [\"" + role + "\"]",
        "pekko.cluster.jmx.enabled = off",
        "pekko.cluster.log-info = off",
        "pekko.cluster.role." + WorkerNode.ROLE + ".min-nr-of-members = 2")).withFallback(ConfigFactory.load());
    ActorSystem system = ActorSystem.create("mmict-membership-test", config);
    systems.add(system);
    return system;
  }

  /** Waits until {@code node} sees itself with {@code status}, at most {@link #BOUND}. */
  private static void awaitStatus(ActorSystem node, MemberStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    Cluster cluster = Cluster.get(node);
    while (true) {
      Member self = cluster.selfMember();
      if (self.status() == status) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "the node is " + self.status() + ", not " + status + ", after " + BOUND);
      Thread.sleep(50);
    }
  }

  /** Stands in for the coordinator proxy: records every message it is sent. */
  static final class Recorder extends AbstractActor {
    private final BlockingQueue<Object> received;

    Recorder(BlockingQueue<Object> received) {
      this.received = received;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(received::add).build();
    }
  }
}
