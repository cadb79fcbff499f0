package dev.mmict.worker.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.singleton.ClusterSingletonProxy;
import org.apache.pekko.cluster.singleton.ClusterSingletonProxySettings;

/**
 * Starts a worker on a cluster node (role {@value #ROLE}): a proxy to the coordinator singleton,
 * the {@link WorkerActor}, and a shutdown task that makes SIGTERM a graceful leave at the next
 * step boundary.
 */
public final class WorkerNode {

  /** The cluster role of worker nodes. */
  public static final String ROLE = "worker";

  /** The coordinator singleton's role and manager path (the coordinator module's names). */
  public static final String COORDINATOR_ROLE = "coordinator";

  /** Path of the coordinator's singleton manager. */
  public static final String COORDINATOR_MANAGER_PATH = "/user/coordinator";

  private WorkerNode() { }

  /**
   * Starts the worker actor on {@code system}; {@code exit} completes when it stops working (the
   * run ended, it was refused, it left). The node's CoordinatedShutdown (run by SIGTERM's
   * shutdown hook) first lets the worker announce its leave and finish the step it is in, for at
   * most the identity's leave timeout; the phase {@code before-service-unbind} must allow that
   * long.
   */
  public static ActorRef start(ActorSystem system, Replica replica, DataPlane dataPlane, WorkerActor.Identity identity,
      CompletableFuture<WorkerActor.Exit> exit) {
    return start(system, replica, dataPlane, identity, null, exit);
  }

  /** As above, writing the checkpoints the coordinator asks for with {@code checkpoints} (null: none). */
  public static ActorRef start(ActorSystem system, Replica replica, DataPlane dataPlane, WorkerActor.Identity identity,
      ClusterCheckpoints.Metadata checkpoints, CompletableFuture<WorkerActor.Exit> exit) {
    ActorRef proxy = system.actorOf(
        ClusterSingletonProxy.props(COORDINATOR_MANAGER_PATH,
            ClusterSingletonProxySettings.create(system).withRole(COORDINATOR_ROLE)),
        "coordinator-proxy");
    ActorRef worker = system.actorOf(WorkerActor.props(replica, dataPlane, identity, checkpoints, proxy, exit), "worker");
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "mmict-worker-leave", () -> {
      CompletableFuture<Done> done = new CompletableFuture<>();
      worker.tell(new WorkerActor.Command.Leave(done), ActorRef.noSender());
      return done.completeOnTimeout(Done.getInstance(), identity.leaveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    });
    return worker;
  }
}
