package dev.mmict.ops.cluster;

import dev.mmict.ops.metrics.WorkerMetrics;
import dev.mmict.worker.cluster.WorkerActor;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Props;

/** Passes every step a worker reports (from its node's event stream) to the node's {@link WorkerMetrics}. */
final class WorkerMetricsFeed extends AbstractActor {

  private final WorkerMetrics metrics;

  /** Props of a feed into {@code metrics}. */
  static Props props(WorkerMetrics metrics) {
    return Props.create(WorkerMetricsFeed.class, () -> new WorkerMetricsFeed(metrics));
  }

  private WorkerMetricsFeed(WorkerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void preStart() {
    getContext().getSystem().getEventStream().subscribe(getSelf(), WorkerActor.StepReported.class);
  }

  @Override
  public void postStop() {
    getContext().getSystem().getEventStream().unsubscribe(getSelf());
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(WorkerActor.StepReported.class, r -> metrics.stepReported(r.plan(), r.result()))
        .build();
  }
}
