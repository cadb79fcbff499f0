package dev.mmict.coordinator.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.cluster.singleton.ClusterSingletonManager;
import org.apache.pekko.cluster.singleton.ClusterSingletonManagerSettings;

/**
 * Starts the coordinator on a cluster node as a cluster singleton: the node must have the role
 * {@value #ROLE}; the oldest such node hosts the one {@link CoordinatorActor}, at
 * {@code /user/}{@value #MANAGER_NAME}{@code /singleton}. Workers reach it through a singleton
 * proxy for the same manager name and role.
 */
public final class CoordinatorNode {

  /** The cluster role of nodes that may host the coordinator. */
  public static final String ROLE = "coordinator";

  /** Name of the singleton manager actor under {@code /user}. */
  public static final String MANAGER_NAME = "coordinator";

  private CoordinatorNode() { }

  /**
   * Starts the singleton manager on {@code system}; when this node hosts the singleton, its
   * coordinator completes {@code outcome} with the run's summary at the end of the run.
   */
  public static ActorRef start(ActorSystem system, Supplier<RunDriver> driverFactory, CoordinatorActor.Timings timings,
      CompletableFuture<RunSummary> outcome) {
    return system.actorOf(
        ClusterSingletonManager.props(
            CoordinatorActor.props(driverFactory, timings, outcome),
            PoisonPill.getInstance(),
            ClusterSingletonManagerSettings.create(system).withRole(ROLE)),
        MANAGER_NAME);
  }
}
