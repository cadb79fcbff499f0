package dev.mmict.coordinator.cluster;

import dev.mmict.coordinator.membership.MemberState;
import dev.mmict.protocol.v1.AbortReason;
import dev.mmict.protocol.v1.CheckpointWritten;
import dev.mmict.protocol.v1.LeaveNotice;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.StateTransferDone;
import dev.mmict.protocol.v1.StatusQuery;
import dev.mmict.protocol.v1.StepAborted;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator singleton's actor: turns worker messages, cluster events and timers into calls
 * on its {@link RunDriver} and sends out what the driver decides (plans, aborts, the end).
 */
public final class CoordinatorActor extends AbstractActorWithTimers {

  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorActor.class);

  /**
   * How patient the coordinator is.
   *
   * @param stepTimeout an attempt without every result after this long is aborted
   * @param replanDelay pause between an abort and the re-plan, so the aborted attempt's workers
   *     have dropped it and cluster events have a moment to arrive
   * @param progressTimeout the run fails when no step commits for this long (workers missing)
   * @param transferTimeout a state transfer to a joiner not done after this long is abandoned
   *     (the run goes on and tries again at the next boundary)
   * @param takeoverGrace a coordinator that took a run over waits this long for the run's workers
   *     to register again before it goes on with whoever did (one may have died too)
   */
  public record Timings(Duration stepTimeout, Duration replanDelay, Duration progressTimeout,
      Duration transferTimeout, Duration takeoverGrace) {

    /** Timings with a 60 s state-transfer timeout and a 20 s takeover grace. */
    public Timings(Duration stepTimeout, Duration replanDelay, Duration progressTimeout) {
      this(stepTimeout, replanDelay, progressTimeout, Duration.ofSeconds(60));
    }

    /** Timings with a 20 s takeover grace. */
    public Timings(Duration stepTimeout, Duration replanDelay, Duration progressTimeout, Duration transferTimeout) {
      this(stepTimeout, replanDelay, progressTimeout, transferTimeout, Duration.ofSeconds(20));
    }

    /** Checks the durations are positive. */
    public Timings {
      for (Duration d : List.of(stepTimeout, replanDelay, progressTimeout, transferTimeout, takeoverGrace)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("coordinator timings must be positive, got " + d);
        }
      }
    }
  }

  /** The actor's messages to itself. */
  interface Internal {
    /** Time to try planning the next attempt. */
    record Replan() implements Internal { }

    /** The attempt {@code planId} ran out of time. */
    record StepTimeout(String planId) implements Internal { }

    /** No step committed for {@link Timings#progressTimeout()}. */
    record NoProgress() implements Internal { }

    /** The state transfer {@code transferId} ran out of time. */
    record TransferTimeout(String transferId) implements Internal { }

    /** A takeover's wait for the run's workers to register again is over. */
    record TakeoverGraceOver() implements Internal { }
  }

  private static final String STEP_TIMER = "step";
  private static final String REPLAN_TIMER = "replan";
  private static final String PROGRESS_TIMER = "progress";
  private static final String TRANSFER_TIMER = "transfer";
  private static final String TAKEOVER_TIMER = "takeover";

  private final Supplier<RunDriver> driverFactory;
  private final Timings timings;
  private final CompletableFuture<RunSummary> outcome;
  private final Map<String, ActorRef> refs = new HashMap<>();
  private RunDriver driver;

  /**
   * Props of a coordinator whose driver {@code driverFactory} creates when the actor starts;
   * {@code outcome} completes with the run's summary when it ends.
   */
  public static Props props(Supplier<RunDriver> driverFactory, Timings timings, CompletableFuture<RunSummary> outcome) {
    return Props.create(CoordinatorActor.class, () -> new CoordinatorActor(driverFactory, timings, outcome));
  }

  private CoordinatorActor(Supplier<RunDriver> driverFactory, Timings timings, CompletableFuture<RunSummary> outcome) {
    this.driverFactory = Objects.requireNonNull(driverFactory);
    this.timings = timings;
    this.outcome = outcome;
  }

  @Override
  public void preStart() {
    try {
      driver = driverFactory.get();
    } catch (RuntimeException e) {
      // E.g. a standby that cannot reconcile the audit with the run state: the run cannot go on here.
      LOG.error("coordinator cannot start: {}", e.getMessage(), e);
      outcome.completeExceptionally(e);
      throw e;
    }
    if (driver.isTakingOver()) {
      getTimers().startSingleTimer(TAKEOVER_TIMER, new Internal.TakeoverGraceOver(), timings.takeoverGrace());
    }
    Cluster.get(getContext().getSystem()).subscribe(getSelf(), ClusterEvent.initialStateAsEvents(),
        ClusterEvent.UnreachableMember.class, ClusterEvent.MemberRemoved.class);
    getTimers().startSingleTimer(PROGRESS_TIMER, new Internal.NoProgress(), timings.progressTimeout());
    LOG.info("coordinator (incarnation {}) started at {}", driver.incarnation(), getSelf().path());
    endIfFinished(); // a takeover of a run that had already ended
  }

  @Override
  public void postStop() {
    Cluster.get(getContext().getSystem()).unsubscribe(getSelf());
    if (!outcome.isDone() && driver != null) {
      outcome.complete(driver.summary());
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(RegisterWorker.class, this::onRegister)
        .match(StepResult.class, this::onResult)
        .match(StepAborted.class, a -> handleAbort(driver.onWorkerAbort(a)))
        .match(LeaveNotice.class, this::onLeave)
        .match(StateTransferDone.class, this::onTransferDone)
        .match(CheckpointWritten.class, this::onCheckpointWritten)
        .match(Internal.TransferTimeout.class, t -> {
          if (driver.onTransferTimeout(t.transferId(), "not done within " + timings.transferTimeout())) {
            plan();
          }
        })
        .match(StatusQuery.class, q -> getSender().tell(driver.status(q.getMaxEvents()), getSelf()))
        .match(ClusterEvent.UnreachableMember.class,
            e -> nodeLost(e.member().address(), "its node " + e.member().address() + " is unreachable"))
        .match(ClusterEvent.MemberRemoved.class,
            e -> nodeLost(e.member().address(), "its node " + e.member().address() + " was removed"))
        .match(Terminated.class, t -> nodeLost(t.getActor(), "its actor stopped"))
        .match(Internal.Replan.class, r -> plan())
        .match(Internal.TakeoverGraceOver.class, g -> {
          if (driver.startWithWhoeverIsThere()) {
            planUnlessReplanPending();
          }
        })
        .match(Internal.StepTimeout.class,
            t -> handleAbort(driver.onTimeout(t.planId(), "step timed out after " + timings.stepTimeout())))
        .match(Internal.NoProgress.class, n -> {
          handleAbort(driver.fail("no step committed for " + timings.progressTimeout() + " (live workers: "
              + driver.liveWorkers() + ")"));
          endIfFinished();
        })
        .matchAny(m -> LOG.warn("coordinator: ignoring an unexpected message of type {} from {}",
            m.getClass().getName(), getSender()))
        .build();
  }

  private void onRegister(RegisterWorker r) {
    boolean wasLive = driver.memberState(r.getWorkerId()).map(MemberState::isLive).orElse(false);
    RunDriver.Registration answer = driver.register(r);
    if (answer.accepted().isPresent()) {
      ActorRef previous = refs.put(r.getWorkerId(), getSender());
      if (previous != null && !previous.equals(getSender())) {
        getContext().unwatch(previous);
      }
      getContext().watch(getSender());
      getSender().tell(answer.accepted().get(), getSelf());
      if (getSender().equals(previous) && wasLive) {
        return; // a repeated registration (sent again before our answer arrived)
      }
      LOG.info("worker {} registered (process {}, node {}, data plane {}:{})", r.getWorkerId(), r.getProcessId(),
          r.getNodeAddress(), r.getDataPlane().getHost(), r.getDataPlane().getPort());
      plan();
    } else {
      getSender().tell(answer.refused().orElseThrow(), getSelf());
    }
  }

  private void onResult(StepResult r) {
    long received = System.nanoTime();
    RunDriver.ResultOutcome o = driver.onResult(r);
    switch (o) {
      case COMMITTED -> {
        long committed = System.nanoTime();
        getTimers().cancel(STEP_TIMER);
        getTimers().startSingleTimer(PROGRESS_TIMER, new Internal.NoProgress(), timings.progressTimeout());
        plan();
        if (LOG.isDebugEnabled()) {
          LOG.debug("step {}: committed in {} us, next plan sent {} us after the last result", r.getStep(),
              (committed - received) / 1000, (System.nanoTime() - received) / 1000);
        }
        handleAbort(driver.writeStateIfDue()); // after the next plan went out: overlaps the workers' compute
      }
      case FINISHED, FAILED -> {
        getTimers().cancel(STEP_TIMER);
        endIfFinished();
      }
      case IGNORED, WAITING -> { }
    }
  }

  private void onLeave(LeaveNotice n) {
    driver.onLeave(n).ifPresent(answer -> {
      LOG.info("worker {} leaves ({}){}", n.getWorkerId(), n.getReason(),
          answer.hasLastStep() ? " after step " + answer.getLastStep() : " now");
      getSender().tell(answer, getSelf());
    });
    planUnlessReplanPending(); // a cancelled transfer frees the boundary
  }

  private void onTransferDone(StateTransferDone d) {
    RunDriver.TransferOutcome o = driver.onTransferDone(d);
    if (o != RunDriver.TransferOutcome.IGNORED) {
      getTimers().cancel(TRANSFER_TIMER);
      plan();
    }
  }

  private void onCheckpointWritten(CheckpointWritten w) {
    if (driver.onCheckpointWritten(w) != dev.mmict.coordinator.checkpoint.CheckpointSchedule.Result.IGNORED) {
      endIfFinished();
      planUnlessReplanPending();
    }
  }

  private void planUnlessReplanPending() {
    if (!getTimers().isTimerActive(REPLAN_TIMER)) {
      plan();
    }
  }

  private void plan() {
    if (driver.currentPlanId().isPresent()) {
      return;
    }
    // A checkpoint first: its writer writes it on its step thread before any later request or step.
    driver.nextCheckpoint().ifPresent(c -> refs.get(c.writer()).tell(c.request(), getSelf()));
    driver.nextTransfer().ifPresent(t -> {
      ActorRef donor = refs.get(t.donor());
      ActorRef joiner = refs.get(t.joiner());
      // The joiner is the request's sender: the donor's chunks go straight to it.
      donor.tell(t.request(), joiner);
      getTimers().startSingleTimer(TRANSFER_TIMER, new Internal.TransferTimeout(t.transferId()),
          timings.transferTimeout());
    });
    driver.tryBegin().ifPresent(attempt -> {
      for (String left : attempt.leftNow()) {
        ActorRef ref = refs.get(left);
        if (ref != null) {
          ref.tell(dev.mmict.protocol.v1.LeaveAccepted.newBuilder().setWorkerId(left).build(), getSelf());
        }
      }
      for (Map.Entry<String, StepPlan> e : attempt.plans().entrySet()) {
        refs.get(e.getKey()).tell(e.getValue(), getSelf());
      }
      if (!attempt.planId().isEmpty()) {
        getTimers().startSingleTimer(STEP_TIMER, new Internal.StepTimeout(attempt.planId()), timings.stepTimeout());
      }
    });
    endIfFinished();
  }

  private void handleAbort(java.util.Optional<RunDriver.Abort> abort) {
    abort.ifPresent(a -> {
      getTimers().cancel(STEP_TIMER);
      for (String id : a.participants()) {
        ActorRef ref = refs.get(id);
        if (ref != null) {
          ref.tell(a.notice(), getSelf());
        }
      }
      getTimers().startSingleTimer(REPLAN_TIMER, new Internal.Replan(), timings.replanDelay());
    });
    endIfFinished();
  }

  private void nodeLost(Address address, String detail) {
    for (Map.Entry<String, ActorRef> e : Map.copyOf(refs).entrySet()) {
      if (e.getValue().path().address().equals(address)) {
        died(e.getKey(), detail);
      }
    }
  }

  private void nodeLost(ActorRef actor, String detail) {
    for (Map.Entry<String, ActorRef> e : Map.copyOf(refs).entrySet()) {
      if (e.getValue().equals(actor)) {
        died(e.getKey(), detail);
      }
    }
  }

  private void died(String id, String detail) {
    boolean transferring = driver.currentTransfer().isPresent();
    boolean wasDead = driver.memberState(id).map(s -> s == MemberState.DEAD).orElse(false);
    java.util.Optional<RunDriver.Abort> abort = driver.onDeath(id, detail);
    if (abort.isPresent()) {
      handleAbort(abort); // its notice names the dead worker, which tells it too
    } else {
      if (!wasDead && driver.memberState(id).map(s -> s == MemberState.DEAD).orElse(false)) {
        // An unreachable node may only be slow (CPU starved, GC): if the worker is alive, this
        // tells it that it is out, and it registers again (with its state, if still current).
        ActorRef ref = refs.get(id);
        if (ref != null) {
          ref.tell(StepAborted.newBuilder()
              .setReason(AbortReason.ABORT_REASON_PEER_DIED)
              .setFailedWorkerId(id)
              .setDetail("the coordinator considers worker " + id + " dead: " + detail)
              .build(), getSelf());
        }
      }
      if (transferring && driver.currentTransfer().isEmpty()) {
        getTimers().cancel(TRANSFER_TIMER);
      }
      // A cancelled transfer frees the boundary; a dead checkpoint writer's checkpoint is asked of another.
      planUnlessReplanPending();
    }
  }

  private void endIfFinished() {
    if (outcome.isDone()) {
      return;
    }
    driver.finished().ifPresent(end -> {
      for (String id : driver.liveWorkers()) {
        ActorRef ref = refs.get(id);
        if (ref != null) {
          ref.tell(end, getSelf());
        }
      }
      getTimers().cancelAll();
      outcome.complete(driver.summary());
    });
  }
}
