package dev.mmict.worker.cluster;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.AbortReason;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.CheckpointWritten;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.LeaveAccepted;
import dev.mmict.protocol.v1.LeaveNotice;
import dev.mmict.protocol.v1.LeaveReason;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.RefusalReason;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.RegistrationAccepted;
import dev.mmict.protocol.v1.RegistrationRefused;
import dev.mmict.protocol.v1.RunFinished;
import dev.mmict.protocol.v1.RunOutcome;
import dev.mmict.protocol.v1.StateTransferChunk;
import dev.mmict.protocol.v1.StateTransferDone;
import dev.mmict.protocol.v1.StateTransferRequest;
import dev.mmict.protocol.v1.StepAborted;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.worker.exchange.ExchangeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node's actor: registers its replica with the coordinator, runs each step plan it
 * receives (compute, exchange, update) on a thread of its own, reports the result, drops an
 * aborted attempt, sends its state to a joiner or installs a donor's, and leaves gracefully when
 * its node shuts down.
 *
 * <p><b>State transfer.</b> The coordinator sends a {@code StateTransferRequest} to the donor
 * with the joiner's actor as the sender; the donor exports its replica's state on its step thread
 * (after any step already queued there) and sends the chunks straight to the joiner, whose
 * {@link StateAssembler} checks them and which installs the state on its own step thread, then
 * reports {@code StateTransferDone} with the installed parameters' sha256 (or the error).
 *
 * <p><b>Leaving.</b> A worker that announced its leave during a step finishes that step, then
 * waits for the coordinator's final {@code LeaveAccepted} (sent at the next step boundary, when
 * the step is committed and the worker is no longer a participant) before its node goes: a node
 * that left while its peers were still finishing the step would look like a death and abort it.
 *
 * <p><b>Membership first.</b> The worker registers only once its node is {@code Up} in the
 * cluster. The split brain resolver counts {@code Up} members only: a run whose workers were still
 * {@code Joining} (the leader moves them up after gossip converges, which takes seconds on a loaded
 * machine) would have had two {@code Up} members, the coordinators, and the active coordinator's
 * death would have been a one-against-one tie that downs the standby and every worker with it.
 *
 * <p><b>Coordinator failover.</b> The worker watches the coordinator actor that answered it. When
 * that actor is gone (its node died and was downed), the worker registers again through the
 * singleton proxy, which reaches whichever coordinator takes over, reporting the step its replica
 * holds: once no step runs on its step thread, so the report is the replica's settled state. The
 * outcome of a step that finished after the coordinator was gone is dropped; if the replica
 * applied it, the new coordinator plans that step again and the replica undoes the update first.
 *
 * <p><b>Checkpoints.</b> A {@code CheckpointRequest} is written on the step thread too: the
 * coordinator sends it at a step boundary, before the next plan, so the replica then holds the
 * state after the committed step (an update of an aborted attempt is undone first). The worker
 * refuses a replica whose checksum is not the one the coordinator verified, and acknowledges with
 * {@code CheckpointWritten} (the directory, or the error).
 *
 * <p><b>Observers.</b> Every step result the worker reports is also published on its node's event
 * stream as a {@link StepReported}, for local observers such as the node's metrics.
 */
public final class WorkerActor extends AbstractActorWithTimers {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerActor.class);

  /**
   * Who the worker is and how patient it is.
   *
   * @param workerId unique in the run
   * @param modelFingerprint the replica's {@link ModelFingerprint}
   * @param registerEvery how often the registration is repeated until the coordinator answers
   * @param registrationTimeout the worker gives up when no coordinator has answered by then
   * @param leaveTimeout a graceful leave waits at most this long for its last step
   */
  public record Identity(String workerId, String modelFingerprint, Duration registerEvery, Duration registrationTimeout,
      Duration leaveTimeout, int protocolVersion) {

    /** An identity speaking this build's protocol version. */
    public Identity(String workerId, String modelFingerprint, Duration registerEvery, Duration registrationTimeout,
        Duration leaveTimeout) {
      this(workerId, modelFingerprint, registerEvery, registrationTimeout, leaveTimeout,
          ProtocolVersion.PROTOCOL_VERSION_1.getNumber());
    }
  }

  /**
   * Why the worker stopped working (its process then exits with {@code ok ? 0 : non-zero}).
   *
   * @param completedRunSteps the steps of a run that completed while this worker took part in
   *     its last step (its replica then holds the run's final state); -1 otherwise
   */
  public record Exit(boolean ok, String reason, long completedRunSteps) {

    /** A stop other than the completion of the run. */
    public Exit(boolean ok, String reason) {
      this(ok, reason, -1);
    }
  }

  /**
   * Published on the node's event stream when the worker has reported {@code result} of {@code
   * plan} to the coordinator.
   */
  public record StepReported(StepPlan plan, StepResult result) { }

  /** The messages the worker node and the actor itself send to the actor. */
  public interface Command {
    /** Time to (re)send the registration. */
    record Register() implements Command { }

    /** The registration deadline passed. */
    record RegistrationDeadline() implements Command { }

    /**
     * Leave the run at the next step boundary (the node shuts down, or the machine is about to be
     * reclaimed): announce it; complete {@code done} when the worker may go.
     */
    record Leave(CompletableFuture<Done> done, LeaveReason reason, String detail) implements Command {

      /** The leave of a node shutting down (SIGTERM runs the node's coordinated shutdown). */
      public Leave(CompletableFuture<Done> done) {
        this(done, LeaveReason.LEAVE_REASON_SIGTERM, "");
      }
    }

    /**
     * The step thread finished an attempt: exactly one of {@code result} and {@code failure};
     * {@code finishedNanos} when (System.nanoTime), for the hand-off's DEBUG timing.
     */
    record StepFinished(StepPlan plan, StepResult result, Throwable failure, long finishedNanos) implements Command { }

    /** The step thread installed a transferred state (or failed to). */
    record StateInstalled(StateTransferDone done) implements Command { }

    /** The step thread wrote a checkpoint (or failed to). */
    record CheckpointFinished(CheckpointWritten written) implements Command { }
  }

  private static final String REGISTER_TIMER = "register";
  private static final String DEADLINE_TIMER = "deadline";

  private final Replica replica;
  private final DataPlane dataPlane;
  private final Identity identity;
  private final ClusterCheckpoints.Metadata checkpointMetadata;
  private final ActorRef coordinatorProxy;
  private final CompletableFuture<Exit> exit;
  private final ExecutorService stepThread;
  private ActorRef coordinator;
  private StepPlan current;
  private Future<?> running;
  private boolean aborted;
  private long lastReportedStep = -1;
  /** When the last result went out (System.nanoTime), to log how long the next plan took to come. */
  private long resultSentNanos;
  private CompletableFuture<Done> leaving;
  private Long leaveAfterStep;
  private StateAssembler incoming;
  private String failedTransfer = "";
  /** Whether the wait for this node to be Up was logged. */
  private boolean waitingForUp;

  /**
   * Props of a worker with its replica and data plane that cannot write checkpoints (it answers a
   * request with an error); {@code exit} completes when it stops working.
   */
  public static Props props(Replica replica, DataPlane dataPlane, Identity identity, ActorRef coordinatorProxy,
      CompletableFuture<Exit> exit) {
    return props(replica, dataPlane, identity, null, coordinatorProxy, exit);
  }

  /** As above, writing the checkpoints it is asked for with {@code checkpointMetadata} (null: none). */
  public static Props props(Replica replica, DataPlane dataPlane, Identity identity,
      ClusterCheckpoints.Metadata checkpointMetadata, ActorRef coordinatorProxy, CompletableFuture<Exit> exit) {
    return Props.create(WorkerActor.class,
        () -> new WorkerActor(replica, dataPlane, identity, checkpointMetadata, coordinatorProxy, exit));
  }

  private WorkerActor(Replica replica, DataPlane dataPlane, Identity identity,
      ClusterCheckpoints.Metadata checkpointMetadata, ActorRef coordinatorProxy, CompletableFuture<Exit> exit) {
    this.replica = replica;
    this.dataPlane = dataPlane;
    this.identity = identity;
    this.checkpointMetadata = checkpointMetadata;
    this.coordinatorProxy = coordinatorProxy;
    this.exit = exit;
    this.stepThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(() -> {
        GradMode.offOnThisThread(); // as on the thread that loaded the engine
        r.run();
      }, "mmict-step-" + identity.workerId());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void preStart() {
    getTimers().startTimerAtFixedRate(REGISTER_TIMER, new Command.Register(), identity.registerEvery());
    getTimers().startSingleTimer(DEADLINE_TIMER, new Command.RegistrationDeadline(), identity.registrationTimeout());
    getSelf().tell(new Command.Register(), getSelf());
  }

  @Override
  public void postStop() {
    stepThread.shutdownNow();
    finishLeave();
    exit.complete(new Exit(false, "the worker actor stopped"));
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Command.Register.class, r -> register())
        .match(Command.RegistrationDeadline.class, d -> {
          if (coordinator == null) {
            MemberStatus status = selfStatus();
            stop(false, status == MemberStatus.up()
                ? "no coordinator accepted the registration within " + identity.registrationTimeout()
                : "this node was still " + status + " in the cluster after " + identity.registrationTimeout()
                    + ", so it never registered (a worker registers once the cluster's leader has moved its node Up;"
                    + " are the seed nodes reachable?)");
          }
        })
        .match(RegistrationAccepted.class, this::onAccepted)
        .match(RegistrationRefused.class, this::onRefused)
        .match(StepPlan.class, this::onPlan)
        .match(StepAborted.class, this::onAborted)
        .match(Command.StepFinished.class, this::onStepFinished)
        .match(StateTransferRequest.class, this::onTransferRequest)
        .match(StateTransferChunk.class, this::onTransferChunk)
        .match(Command.StateInstalled.class, i -> {
          LOG.info("worker {}: state transfer {} {}", identity.workerId(), i.done().getTransferId(),
              i.done().getError().isEmpty() ? "installed (state after step " + i.done().getAfterStep() + ")"
                  : "failed: " + i.done().getError());
          if (coordinator != null) {
            coordinator.tell(i.done(), getSelf());
          }
        })
        .match(CheckpointRequest.class, this::onCheckpointRequest)
        .match(Command.CheckpointFinished.class, f -> {
          if (coordinator != null) {
            coordinator.tell(f.written(), getSelf());
          } else {
            LOG.warn("worker {}: no coordinator to acknowledge checkpoint {} to", identity.workerId(),
                f.written().getCheckpointId());
          }
        })
        .match(Terminated.class, this::onTerminated)
        .match(LeaveAccepted.class, this::onLeaveAccepted)
        .match(Command.Leave.class, this::onLeave)
        .match(RunFinished.class, this::onRunFinished)
        .matchAny(m -> LOG.warn("worker {}: ignoring an unexpected message of type {} from {}", identity.workerId(),
            m.getClass().getName(), getSender()))
        .build();
  }

  private void register() {
    if (coordinator != null || leaving != null) {
      getTimers().cancel(REGISTER_TIMER);
      return;
    }
    if (running != null && !running.isDone()) {
      return; // the replica may be mid-update: report its state once the step thread is done (next tick)
    }
    MemberStatus status = selfStatus();
    if (status != MemberStatus.up()) {
      if (!waitingForUp) {
        LOG.info("worker {}: its node is {} in the cluster; it registers once the node is Up", identity.workerId(),
            status);
        waitingForUp = true;
      }
      return; // next tick
    }
    RegisterWorker.Builder r = RegisterWorker.newBuilder()
        .setProtocolVersionValue(identity.protocolVersion())
        .setModelFingerprint(identity.modelFingerprint())
        .setNodeAddress(Cluster.get(getContext().getSystem()).selfAddress().toString())
        .setWorkerId(identity.workerId())
        .setProcessId(ProcessHandle.current().pid())
        .setDataPlane(DataPlaneAddress.newBuilder().setHost(dataPlane.host()).setPort(dataPlane.port()));
    if (replica.appliedStep() >= 0) {
      r.setLastCompletedStep(replica.appliedStep()).setParameterSha256(ByteString.copyFrom(replica.parameterSha256()));
    }
    coordinatorProxy.tell(r.build(), getSelf());
  }

  private MemberStatus selfStatus() {
    return Cluster.get(getContext().getSystem()).selfMember().status();
  }

  private void onAccepted(RegistrationAccepted a) {
    if (coordinator == null) {
      LOG.info("worker {} registered; the coordinator plans step {} next{}", identity.workerId(), a.getNextStep(),
          a.getStateTransferRequired() ? " (this worker waits for a peer's state at a step boundary)" : "");
    }
    coordinator = getSender();
    getContext().watch(coordinator);
    getTimers().cancel(REGISTER_TIMER);
    getTimers().cancel(DEADLINE_TIMER);
  }

  /**
   * The coordinator actor this worker answers to stopped: its node died (and was downed) or left.
   * Register again through the proxy, with the replica's state, for the coordinator that takes over.
   */
  private void onTerminated(Terminated t) {
    if (coordinator == null || !t.getActor().equals(coordinator) || leaving != null || exit.isDone()) {
      return;
    }
    LOG.warn("worker {}: the coordinator {} is gone; registering with the coordinator that takes over",
        identity.workerId(), t.getActor().path());
    coordinator = null;
    getTimers().startTimerAtFixedRate(REGISTER_TIMER, new Command.Register(), identity.registerEvery());
    getTimers().startSingleTimer(DEADLINE_TIMER, new Command.RegistrationDeadline(), identity.registrationTimeout());
    getSelf().tell(new Command.Register(), getSelf());
  }

  private void onRefused(RegistrationRefused r) {
    String why = "the coordinator refused worker " + r.getWorkerId() + " (" + r.getReason() + "): " + r.getDetail();
    if (r.getReason() == RefusalReason.REFUSAL_REASON_DUPLICATE_WORKER_ID && coordinator == null) {
      // A restarted worker whose previous process the coordinator has not yet noticed dead:
      // keep registering until the failure detector catches up or the deadline passes.
      LOG.warn("worker {}: {}; registering again until the registration deadline", identity.workerId(), why);
      return;
    }
    stop(false, why);
  }

  private void onTransferRequest(StateTransferRequest r) {
    ActorRef joiner = getSender();
    ActorRef self = getSelf();
    String id = identity.workerId();
    LOG.info("worker {}: sending the state after step {} to {} (transfer {})", id, r.getAfterStep(),
        r.getJoinerWorkerId(), r.getTransferId());
    // On the step thread: after any step queued before the request, never during one.
    stepThread.submit(() -> {
      try {
        long start = System.nanoTime();
        ReplicaState state = replica.exportState(r.getAfterStep());
        var chunks = StateTransferCodec.encode(r.getTransferId(), state, StateTransferCodec.DEFAULT_CHUNK_BYTES);
        for (StateTransferChunk c : chunks) {
          joiner.tell(c, self);
        }
        LOG.info("worker {}: sent transfer {} ({} chunks) in {} ms", id, r.getTransferId(), chunks.size(),
            (System.nanoTime() - start) / 1_000_000);
      } catch (RuntimeException e) {
        // The coordinator's transfer timeout notices the silence and tries again.
        LOG.error("worker {}: cannot send the state after step {} for transfer {}", id, r.getAfterStep(),
            r.getTransferId(), e);
      }
    });
  }

  private void onCheckpointRequest(CheckpointRequest r) {
    ActorRef self = getSelf();
    String id = identity.workerId();
    Path root = Path.of(r.getDirectory());
    LOG.info("worker {}: writing checkpoint {} (state after step {}) into {}", id, r.getCheckpointId(),
        r.getStepsDone() - 1, root);
    // On the step thread: after the step it belongs to, before the next plan's step.
    stepThread.submit(() -> {
      CheckpointWritten.Builder ack = CheckpointWritten.newBuilder()
          .setCheckpointId(r.getCheckpointId())
          .setWorkerId(id)
          .setStepsDone(r.getStepsDone());
      try {
        if (checkpointMetadata == null) {
          throw new IllegalStateException("worker " + id + " was started without checkpoint metadata");
        }
        long start = System.nanoTime();
        ReplicaState state = replica.exportState(r.getStepsDone() - 1);
        byte[] sha = replica.parameterSha256();
        if (!Arrays.equals(sha, r.getParameterSha256().toByteArray())) {
          throw new IllegalStateException("the replica's parameters after step " + (r.getStepsDone() - 1)
              + " have sha256 " + HexFormat.of().formatHex(sha) + ", not the run's "
              + HexFormat.of().formatHex(r.getParameterSha256().toByteArray()));
        }
        var written = ClusterCheckpoints.write(state, r, checkpointMetadata);
        ack.setPath(written.dir().toString()).setParameterSha256(ByteString.copyFrom(sha));
        LOG.info("worker {}: checkpoint {} written to {} in {} ms", id, r.getCheckpointId(), written.dir(),
            (System.nanoTime() - start) / 1_000_000);
      } catch (IOException | RuntimeException e) {
        LOG.error("worker {}: cannot write checkpoint {} (state after step {}) into {}: {}", id, r.getCheckpointId(),
            r.getStepsDone() - 1, root, e.toString(), e);
        ack.setError("cannot write checkpoint " + r.getCheckpointId() + " into " + root + ": " + e.getMessage());
      }
      self.tell(new Command.CheckpointFinished(ack.build()), ActorRef.noSender());
    });
  }

  private void onTransferChunk(StateTransferChunk c) {
    if (c.getTransferId().equals(failedTransfer)) {
      return;
    }
    if (incoming == null || !incoming.transferId().equals(c.getTransferId())) {
      incoming = new StateAssembler(c.getTransferId());
    }
    StateAssembler assembler = incoming;
    boolean complete;
    try {
      complete = assembler.accept(c);
    } catch (StateTransferException e) {
      transferFailed(c.getTransferId(), c.getAfterStep(), e.getMessage());
      return;
    }
    if (!complete) {
      return;
    }
    incoming = null;
    ReplicaState state;
    try {
      state = assembler.result();
    } catch (StateTransferException e) {
      transferFailed(c.getTransferId(), c.getAfterStep(), e.getMessage());
      return;
    }
    ActorRef self = getSelf();
    String id = identity.workerId();
    stepThread.submit(() -> {
      StateTransferDone.Builder done = StateTransferDone.newBuilder()
          .setTransferId(c.getTransferId())
          .setWorkerId(id)
          .setAfterStep(state.afterStep());
      try {
        done.setParameterSha256(ByteString.copyFrom(replica.installState(state)));
      } catch (RuntimeException e) {
        LOG.error("worker {}: cannot install the state of transfer {}", id, c.getTransferId(), e);
        done.setError("cannot install the state: " + e.getMessage());
      }
      self.tell(new Command.StateInstalled(done.build()), ActorRef.noSender());
    });
  }

  private void transferFailed(String transferId, long afterStep, String error) {
    LOG.warn("worker {}: {}", identity.workerId(), error);
    failedTransfer = transferId;
    incoming = null;
    if (coordinator != null) {
      coordinator.tell(StateTransferDone.newBuilder()
          .setTransferId(transferId)
          .setWorkerId(identity.workerId())
          .setAfterStep(afterStep)
          .setError(error)
          .build(), getSelf());
    }
  }

  private void onPlan(StepPlan plan) {
    if (current != null && current.getPlanId().equals(plan.getPlanId())) {
      return; // a duplicate: the attempt is already running or done
    }
    if (!plan.getWorkerId().equals(identity.workerId())) {
      LOG.warn("worker {}: ignoring a plan addressed to {}", identity.workerId(), plan.getWorkerId());
      return;
    }
    if (resultSentNanos != 0 && LOG.isDebugEnabled()) {
      LOG.debug("worker {}: plan for step {} arrived {} us after the result of step {} went out",
          identity.workerId(), plan.getStep(), (System.nanoTime() - resultSentNanos) / 1000, lastReportedStep);
    }
    resultSentNanos = 0; // one result, one next plan: a re-plan after an abort is not timed against it
    coordinator = getSender();
    getContext().watch(coordinator);
    current = plan;
    aborted = false;
    ActorRef self = getSelf();
    String id = identity.workerId();
    long accepted = System.nanoTime();
    running = stepThread.submit(() -> {
      long start = System.nanoTime();
      LOG.debug("worker {}: step {} started on the step thread {} us after its plan was accepted", id,
          plan.getStep(), (start - accepted) / 1000);
      try {
        Replica.Contribution mine = replica.contribute(plan);
        long exchangeStart = System.nanoTime();
        dataPlane.allReduce(plan, id, mine);
        long exchangeMillis = (System.nanoTime() - exchangeStart) / 1_000_000;
        byte[] sha = replica.apply(plan, mine);
        StepResult result = StepResult.newBuilder()
            .setStep(plan.getStep())
            .setPlanId(plan.getPlanId())
            .setWorkerId(id)
            .setLossSum(mine.lossSum())
            .setSampleCount(mine.samples())
            .setParameterSha256(ByteString.copyFrom(sha))
            .addAllMicroBatchIds(plan.getMicroBatchesList().stream().map(mb -> mb.getMicroBatchId()).toList())
            .setComputeMillis(mine.computeMillis())
            .setExchangeMillis(exchangeMillis)
            .build();
        self.tell(new Command.StepFinished(plan, result, null, System.nanoTime()), ActorRef.noSender());
      } catch (Throwable e) {
        LOG.debug("worker {}: step {} plan {} failed after {} ms", id, plan.getStep(), plan.getPlanId(),
            (System.nanoTime() - start) / 1_000_000, e);
        self.tell(new Command.StepFinished(plan, null, e, System.nanoTime()), ActorRef.noSender());
      }
    });
  }

  private void onAborted(StepAborted a) {
    if (a.getReason() == AbortReason.ABORT_REASON_PEER_DIED && a.getFailedWorkerId().equals(identity.workerId())
        && leaving == null && !exit.isDone()) {
      rejoin(a);
    }
    if (current == null || !current.getPlanId().equals(a.getPlanId()) || aborted) {
      return;
    }
    LOG.info("worker {}: step {} plan {} aborted by the coordinator ({}: {})", identity.workerId(), a.getStep(),
        a.getPlanId(), a.getReason(), a.getDetail());
    aborted = true;
    if (running != null) {
      running.cancel(true);
    }
    dataPlane.interrupt();
  }

  /**
   * The coordinator declared this worker dead (its node looked unreachable: a CPU-starved or
   * paused JVM misses heartbeats) while it is alive: register again, as a joiner. A replica still
   * at the last committed step is synced at once; otherwise it receives a peer's state.
   */
  private void rejoin(StepAborted a) {
    if (coordinator == null) {
      return; // already registering again
    }
    LOG.warn("worker {}: {}; this worker is alive, so it registers again", identity.workerId(), a.getDetail());
    coordinator = null;
    getTimers().startTimerAtFixedRate(REGISTER_TIMER, new Command.Register(), identity.registerEvery());
    getTimers().startSingleTimer(DEADLINE_TIMER, new Command.RegistrationDeadline(), identity.registrationTimeout());
    getSelf().tell(new Command.Register(), getSelf());
  }

  private void onStepFinished(Command.StepFinished f) {
    boolean isCurrent = current != null && current.getPlanId().equals(f.plan().getPlanId());
    if (!isCurrent || aborted || coordinator == null) {
      LOG.debug("worker {}: dropping the outcome of aborted plan {}", identity.workerId(), f.plan().getPlanId());
      return;
    }
    if (f.result() != null) {
      coordinator.tell(f.result(), getSelf());
      resultSentNanos = System.nanoTime();
      LOG.debug("worker {}: result of step {} sent {} us after the step thread finished", identity.workerId(),
          f.plan().getStep(), (resultSentNanos - f.finishedNanos()) / 1000);
      getContext().getSystem().getEventStream().publish(new StepReported(f.plan(), f.result()));
      lastReportedStep = f.plan().getStep();
      if (leaveAfterStep != null && lastReportedStep >= leaveAfterStep) {
        LOG.info("worker {}: reported step {}, its last; waiting for the coordinator to let it go",
            identity.workerId(), lastReportedStep);
      }
      return;
    }
    Throwable e = f.failure();
    StepAborted.Builder report = StepAborted.newBuilder()
        .setStep(f.plan().getStep())
        .setPlanId(f.plan().getPlanId())
        .setReportingWorkerId(identity.workerId())
        .setDetail(String.valueOf(e.getMessage()));
    if (e instanceof ExchangeException x) {
      report.setReason(AbortReason.ABORT_REASON_EXCHANGE_FAILED);
      if (x.peerRank() >= 0 && x.peerRank() < f.plan().getPeersCount()) {
        report.setFailedWorkerId(f.plan().getPeers(x.peerRank()).getWorkerId());
      }
    } else if (e instanceof java.io.IOException || e instanceof InterruptedException) {
      report.setReason(AbortReason.ABORT_REASON_EXCHANGE_FAILED);
    } else {
      report.setReason(AbortReason.ABORT_REASON_WORKER_ERROR).setFailedWorkerId(identity.workerId());
      LOG.error("worker {}: step {} failed", identity.workerId(), f.plan().getStep(), e);
    }
    LOG.warn("worker {}: step {} plan {} failed: {}", identity.workerId(), f.plan().getStep(), f.plan().getPlanId(),
        e.toString());
    coordinator.tell(report.build(), getSelf());
  }

  private void onLeave(Command.Leave l) {
    if (leaving != null) {
      // Already leaving (a preemption notice, then the SIGTERM that follows it): one announcement.
      leaving.whenComplete((d, e) -> l.done().complete(Done.getInstance()));
      return;
    }
    leaving = l.done();
    if (coordinator == null || exit.isDone()) {
      finishLeave();
      if (coordinator == null && !exit.isDone()) {
        stop(true, "left before joining the run (" + l.reason() + ")");
      }
      return;
    }
    LOG.info("worker {}: {}; announcing the leave", identity.workerId(),
        l.reason() == LeaveReason.LEAVE_REASON_SIGTERM ? "shutting down" : l.reason() + " " + l.detail());
    coordinator.tell(LeaveNotice.newBuilder()
        .setWorkerId(identity.workerId())
        .setReason(l.reason())
        .setDetail(l.detail())
        .setDeadlineUnixMillis(System.currentTimeMillis() + identity.leaveTimeout().toMillis())
        .build(), getSelf());
  }

  private void onLeaveAccepted(LeaveAccepted a) {
    if (!a.hasLastStep()) {
      finishLeave();
      stop(true, "left the run at a step boundary");
    } else {
      leaveAfterStep = a.getLastStep();
      LOG.info("worker {}: leaving after step {}", identity.workerId(), a.getLastStep());
    }
  }

  private void finishLeave() {
    if (leaving != null) {
      leaving.complete(Done.getInstance());
    }
  }

  private void onRunFinished(RunFinished f) {
    boolean completed = f.getOutcome() == RunOutcome.RUN_OUTCOME_COMPLETED;
    String reason = "the run ended after " + f.getStepsCommitted() + " steps: " + f.getDetail();
    // The replica holds the final state only if it applied the last committed step.
    boolean holdsFinal = completed && leaving == null && replica.appliedStep() == f.getStepsCommitted() - 1;
    stop(completed, reason, holdsFinal ? f.getStepsCommitted() : -1);
  }

  private void stop(boolean ok, String reason) {
    stop(ok, reason, -1);
  }

  private void stop(boolean ok, String reason, long completedRunSteps) {
    if (!exit.isDone()) {
      if (ok) {
        LOG.info("worker {}: {}", identity.workerId(), reason);
      } else {
        LOG.error("worker {}: {}", identity.workerId(), reason);
      }
    }
    getTimers().cancelAll();
    finishLeave();
    exit.complete(new Exit(ok, reason, completedRunSteps));
  }
}
