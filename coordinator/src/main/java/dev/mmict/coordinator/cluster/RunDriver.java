package dev.mmict.coordinator.cluster;

import com.google.protobuf.ByteString;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.coordinator.checkpoint.CheckpointPolicy;
import dev.mmict.coordinator.checkpoint.CheckpointSchedule;
import dev.mmict.coordinator.membership.MemberState;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.coordinator.plan.Assignment;
import dev.mmict.coordinator.plan.GlobalBatch;
import dev.mmict.coordinator.plan.MicroBatch;
import dev.mmict.coordinator.plan.PlannedQuery;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.coordinator.recovery.ResumePoint;
import dev.mmict.coordinator.recovery.RunState;
import dev.mmict.coordinator.recovery.RunStateFile;
import dev.mmict.protocol.v1.AbortReason;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.CheckpointWritten;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.ExchangePeer;
import dev.mmict.protocol.v1.LeaveAccepted;
import dev.mmict.protocol.v1.LeaveNotice;
import dev.mmict.protocol.v1.MemberStatus;
import dev.mmict.protocol.v1.MembershipEventKind;
import dev.mmict.protocol.v1.PlanShape;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.QueryAssignment;
import dev.mmict.protocol.v1.RefusalReason;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.RegistrationAccepted;
import dev.mmict.protocol.v1.RegistrationRefused;
import dev.mmict.protocol.v1.RunFinished;
import dev.mmict.protocol.v1.RunOutcome;
import dev.mmict.protocol.v1.StateTransferDone;
import dev.mmict.protocol.v1.StateTransferRequest;
import dev.mmict.protocol.v1.StatusReply;
import dev.mmict.protocol.v1.StepAborted;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.protocol.v1.WorkerState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The coordinator's step protocol as pure state, without Pekko: registrations, planning each
 * step over the active workers, the barrier on their results, the replicas' checksum check,
 * aborts and re-plans, leaves, and the end of the run. The coordinator actor feeds it messages
 * and cluster events and sends what it returns.
 *
 * <p><b>Attempts.</b> Every (re-)plan of a step is an attempt with a plan id from one counter
 * that only grows (so the data plane can drop leftovers of an older attempt). An attempt ends
 * when every participant has reported (commit, or failure when the checksums differ) or when it
 * is aborted (a participant died or reported a failure, or the step timed out); the same step is
 * then planned again over whoever is active. Parameters change only on commit, so an aborted
 * attempt trained nothing: the audit discards it.
 *
 * <p><b>Joining.</b> A worker that registers before step 0 (every worker loads the same
 * backbone), or that reports the last committed step with the matching checksum, is synced at
 * once. Any other joiner needs the run's state: at the next step boundary ({@link
 * #nextTransfer()}) the driver picks a donor (the first active worker by id) and holds the
 * boundary until the joiner reports {@code StateTransferDone} with the run's checksum (then it
 * is synced and enters with the next step), reports an error, or the transfer times out or a
 * party dies (then the run goes on without it and the transfer is tried again at the next
 * boundary, {@value #MAX_TRANSFER_FAILURES} times at most per joiner). Holding the boundary costs
 * every worker the transfer's time once per join, but the joiner is never a step behind.
 *
 * <p><b>Takeover.</b> A driver made by {@link #durable} writes a {@link RunState} after every
 * commit (in {@link #writeStateIfDue()}, which the coordinator calls once the next plan is out). A standby coordinator's driver starts from the {@link ResumePoint} rebuilt from that
 * state and the audit: it plans the step after the last committed one, with plan ids above every
 * id of earlier incarnations, and until its first commit it also accepts a re-registering worker
 * that reports the step it is about to plan (that worker applied the update of an attempt the dead
 * coordinator never committed, and undoes it when the step is planned again); when the run state
 * missed the last commit, the first worker reporting that step supplies the checksum the others
 * must match. Like a new run, it waits for {@link RunSettings#minWorkersToStart()} workers, or
 * until {@link #startWithWhoeverIsThere()}.
 *
 * <p><b>Checkpoints.</b> With {@link #enableCheckpoints} a {@link CheckpointSchedule} decides after
 * every commit whether the state after it is checkpointed; at the next boundary ({@link
 * #nextCheckpoint()}, before the next step is planned) the driver asks one synced worker to write
 * it. The run is reported finished only once its last checkpoint is acknowledged, and fails when
 * that one cannot be written.
 *
 * <p>Not thread-safe: the owning actor serialises access.
 */
public final class RunDriver {

  private static final Logger LOG = LoggerFactory.getLogger(RunDriver.class);
  /** Routine steps are logged at INFO every this many steps (and the last); DEBUG shows them all. */
  private static final long LOG_EVERY = 25;
  private static final ProtocolVersion VERSION = ProtocolVersion.PROTOCOL_VERSION_1;

  /** A registered worker's addresses. */
  public record WorkerInfo(String id, String nodeAddress, long processId, DataPlaneAddress dataPlane) { }

  /** The answer to a registration: exactly one of the two is present. */
  public record Registration(Optional<RegistrationAccepted> accepted, Optional<RegistrationRefused> refused) { }

  /**
   * A planned attempt: the plan each participant receives, and the workers that left at this
   * boundary (they may shut down now).
   */
  public record Attempt(long step, String planId, Map<String, StepPlan> plans, List<String> leftNow) { }

  /**
   * A state transfer to start: send {@code request} to {@code donor}, whose chunks go to
   * {@code joiner}.
   */
  public record Transfer(String transferId, String donor, String joiner, StateTransferRequest request) { }

  /** What a joiner's {@code StateTransferDone} led to. */
  public enum TransferOutcome {
    /** Not the transfer in flight (late, duplicate, unknown). */
    IGNORED,
    /** The joiner holds the run's state and enters at the next boundary. */
    SYNCED,
    /** The transfer failed; planning goes on, and the joiner gets another transfer later. */
    FAILED
  }

  /** A joiner gets at most this many failed transfers; then it stays pending (and is logged). */
  public static final int MAX_TRANSFER_FAILURES = 3;

  /** A checkpoint to ask for: send {@code request} to {@code writer}. */
  public record CheckpointAsk(String writer, CheckpointRequest request) { }

  /** An abandoned attempt: the notice for its participants. */
  public record Abort(StepAborted notice, List<String> participants) { }

  /** What a step result led to. */
  public enum ResultOutcome {
    /** Not (or no longer) relevant: a stale attempt, an unknown worker, a duplicate. */
    IGNORED,
    /** Recorded; other participants have not reported yet. */
    WAITING,
    /** Every participant reported with equal checksums: the step is committed. */
    COMMITTED,
    /** The step was committed and was the run's last. */
    FINISHED,
    /** The replicas disagree (or the audit could not be written): the run has failed. */
    FAILED
  }

  private final StepPlanner planner;
  private final RunSettings settings;
  private final SampleAudit audit;
  private final Membership membership;
  private final Map<String, WorkerInfo> workers = new TreeMap<>();
  private final List<Double> losses = new ArrayList<>();

  private long planSeq;
  private int attemptOfStep;
  private Current current;
  private long stepsAborted;
  private String lastSha = "";
  private RunFinished finished;
  private boolean started;
  private Transfer transfer;
  private long transferSeq;
  private final Map<String, Integer> transferFailures = new TreeMap<>();
  private final List<RunSummary.AbortedAttempt> aborts = new ArrayList<>();
  private final List<RunSummary.StateTransfer> transfers = new ArrayList<>();
  // Observation only (metrics, status): nothing below changes what the driver decides.
  private final RunListener listener;
  private final Clock clock;
  private final Throughput throughput = new Throughput(10);
  private final Map<String, StepResult> lastCommitted = new TreeMap<>();
  // Failover: where this driver writes its run state (null: nowhere), and what it resumed from.
  private RunStateFile stateFile;
  private long incarnation;
  private boolean takeover;
  private boolean endedBeforeStart;
  private boolean stateDue;
  // Checkpoints (null: the run writes none), and the newest one known when this driver started.
  private CheckpointSchedule checkpoints;
  private String checkpointDir = "";
  private int checkpointKeep;
  private long startCheckpointSteps;
  private String startCheckpoint = "";

  /** The attempt in flight. */
  private static final class Current {
    final long step;
    final String planId;
    final List<String> participants;
    final Map<String, StepResult> results = new LinkedHashMap<>();
    final Instant began;

    Current(long step, String planId, List<String> participants, Instant began) {
      this.step = step;
      this.planId = planId;
      this.participants = participants;
      this.began = began;
    }
  }

  /** A driver planning with {@code planner}, recording committed steps in {@code audit}. */
  public RunDriver(StepPlanner planner, RunSettings settings, SampleAudit audit, Membership membership) {
    this(planner, settings, audit, membership, RunListener.NONE, Clock.systemUTC());
  }

  /**
   * As above, telling {@code listener} about attempts, commits, aborts and deaths; {@code clock}
   * times steps and the status's throughput.
   */
  public RunDriver(StepPlanner planner, RunSettings settings, SampleAudit audit, Membership membership,
      RunListener listener, Clock clock) {
    this.planner = planner;
    this.settings = settings;
    this.audit = audit;
    this.membership = membership;
    this.listener = java.util.Objects.requireNonNull(listener, "listener");
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
  }

  /**
   * A driver that records its run state in {@code stateFile} (now, after every commit, and at the
   * end) and starts at {@code from}: {@link ResumePoint#fresh()} for a new run, or the point a
   * standby rebuilt with {@link dev.mmict.coordinator.recovery.Recovery}. A resume point of an
   * ended run ends this driver at once with the same outcome.
   *
   * @throws IOException when the run state cannot be written
   */
  public static RunDriver durable(StepPlanner planner, RunSettings settings, SampleAudit audit, Membership membership,
      RunListener listener, Clock clock, RunStateFile stateFile, ResumePoint from) throws IOException {
    RunDriver d = new RunDriver(planner, settings, audit, membership, listener, clock);
    d.stateFile = java.util.Objects.requireNonNull(stateFile, "stateFile");
    d.incarnation = from.incarnation();
    d.planSeq = from.incarnation() << 32;
    if (from.nextStep() > 0) {
      membership.resumeAt(from.nextStep());
    }
    d.lastSha = from.parametersSha256();
    d.losses.addAll(from.losses());
    d.stepsAborted = from.stepsAborted();
    d.startCheckpointSteps = from.checkpointStepsDone();
    d.startCheckpoint = from.checkpoint();
    if (!from.outcome().equals(RunState.RUNNING)) {
      d.endedBeforeStart = true;
      d.finish(from.outcome().equals(RunState.COMPLETED) ? RunOutcome.RUN_OUTCOME_COMPLETED
          : RunOutcome.RUN_OUTCOME_FAILED, from.detail());
    } else {
      d.takeover = from.isTakeover();
      d.saveState();
    }
    if (from.isTakeover()) {
      LOG.info("coordinator incarnation {} takes over run {} at step {} (parameters {}; {} steps aborted before)",
          d.incarnation, settings.runId(), from.nextStep(),
          d.lastSha.isEmpty() ? "unknown until a worker reports them" : shortSha(d.lastSha), d.stepsAborted);
    }
    return d;
  }

  /**
   * Makes the run write checkpoints into {@code directory} as {@code policy} says, keeping the
   * newest {@code keep}; call it before the first message. The newest checkpoint the driver
   * started from (a resume, or a takeover's run state) counts as written.
   */
  public void enableCheckpoints(CheckpointPolicy policy, String directory, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("checkpoint.keep must be >= 1, got " + keep);
    }
    checkpoints = new CheckpointSchedule(policy, startCheckpointSteps, startCheckpoint);
    checkpointDir = java.util.Objects.requireNonNull(directory, "directory");
    checkpointKeep = keep;
    LOG.info("run {}: checkpoints in {} {}, the newest {} kept", settings.runId(), directory,
        policy.every() > 0 ? "every " + policy.every() + " steps and after the last" : "after the last step only",
        keep);
  }

  /** 0 for the coordinator that started the run, +1 for every takeover. */
  public long incarnation() {
    return incarnation;
  }

  /** True when the run had already ended before this driver started (it took over an ended run). */
  public boolean endedBeforeStart() {
    return endedBeforeStart;
  }

  /** True while this driver took the run over and has not committed a step of its own yet. */
  public boolean isTakingOver() {
    return takeover;
  }

  /**
   * Stops waiting for {@link RunSettings#minWorkersToStart()} workers (a standby's grace period for
   * re-registrations ran out: a worker may have died with the coordinator); true if it was waiting.
   */
  public boolean startWithWhoeverIsThere() {
    if (started || finished != null) {
      return false;
    }
    started = true;
    LOG.warn("starting with {} of the {} workers the run waits for", syncedOrActive(), settings.minWorkersToStart());
    return true;
  }

  /** Checks a worker's registration; an accepted worker is pending until the next boundary. */
  public Registration register(RegisterWorker r) {
    String id = r.getWorkerId();
    if (r.getProtocolVersion() != VERSION) {
      return refuse(r, RefusalReason.REFUSAL_REASON_PROTOCOL_VERSION,
          "worker " + id + " speaks protocol version " + r.getProtocolVersionValue() + ", the coordinator speaks "
              + VERSION.getNumber() + " (" + VERSION + ")");
    }
    if (!settings.modelFingerprint().equals(r.getModelFingerprint())) {
      return refuse(r, RefusalReason.REFUSAL_REASON_MODEL_FINGERPRINT,
          "worker " + id + " holds model fingerprint " + shortSha(r.getModelFingerprint())
              + " but the run's is " + shortSha(settings.modelFingerprint())
              + " (another backbone or model configuration)");
    }
    if (id.isBlank() || !r.hasDataPlane() || r.getDataPlane().getPort() == 0 || r.getDataPlane().getPort() > 65535
        || r.getDataPlane().getHost().isBlank()) {
      return refuse(r, RefusalReason.REFUSAL_REASON_INVALID_REQUEST,
          "registration needs a worker id and a data-plane host and port in 1..65535, got id '" + id
              + "' data plane " + r.getDataPlane().getHost() + ":" + r.getDataPlane().getPort());
    }
    if (finished != null) {
      return refuse(r, RefusalReason.REFUSAL_REASON_RUN_NOT_ACCEPTING, "the run has ended: " + finished.getDetail());
    }
    WorkerInfo info = new WorkerInfo(id, r.getNodeAddress(), r.getProcessId(), r.getDataPlane());
    Optional<MemberState> state = membership.state(id);
    if (state.isPresent() && state.get().isLive()) {
      if (info.equals(workers.get(id))) {
        // The same process asked again (our first answer was lost or late): answer the same.
        return accept(id, state.get() == MemberState.PENDING && !isSynced(id));
      }
      return refuse(r, RefusalReason.REFUSAL_REASON_DUPLICATE_WORKER_ID,
          "worker id " + id + " is already taken by a live worker (process " + workers.get(id).processId() + ")");
    }
    membership.join(id);
    workers.put(id, info);
    long next = membership.nextStep();
    boolean initial = next == 0 && membership.stepInFlight().isEmpty(); // step 0 not begun yet
    String reportedSha = HexFormat.of().formatHex(r.getParameterSha256().toByteArray());
    if (takeover && next > 0 && lastSha.isEmpty() && r.hasLastCompletedStep() && r.getLastCompletedStep() == next - 1
        && !reportedSha.isEmpty()) {
      lastSha = reportedSha;
      LOG.warn("the run state missed the commit of step {}: adopting worker {}'s parameters {} as the run's after it;"
          + " the next commit checks every replica against them", next - 1, id, shortSha(lastSha));
    }
    boolean current = r.hasLastCompletedStep() && r.getLastCompletedStep() == next - 1
        && reportedSha.equals(lastSha);
    boolean uncommitted = takeover && r.hasLastCompletedStep() && r.getLastCompletedStep() == next;
    if (uncommitted) {
      // It finished the attempt the dead coordinator never committed; the re-plan of the step undoes that update.
      LOG.info("worker {} applied step {}, which was never committed: it undoes that update when the step is"
          + " planned again", id, next);
    }
    if (initial || current || uncommitted) {
      membership.synced(id, next - 1);
      return accept(id, false);
    }
    LOG.info("worker {} joined before step {} without the run's state: it waits for a state transfer", id, next);
    transferFailures.remove(id);
    return accept(id, true);
  }

  /**
   * Plans the next attempt if one is due: no attempt in flight, the run not ended, and active
   * (or synced pending) workers present.
   */
  public Optional<Attempt> tryBegin() {
    if (finished != null || current != null || transfer != null) {
      return Optional.empty();
    }
    long step = membership.nextStep();
    if (step >= settings.maxSteps()) {
      if (awaitingFinalCheckpoint()) {
        return Optional.empty(); // nextCheckpoint() asks for it; the run ends when it is acknowledged
      }
      finish(RunOutcome.RUN_OUTCOME_COMPLETED, "all " + settings.maxSteps() + " steps committed");
      return Optional.empty();
    }
    if (!started && syncedOrActive() < settings.minWorkersToStart()) {
      return Optional.empty();
    }
    List<String> leaving = membership.inState(MemberState.LEAVING);
    List<String> participants = membership.beginStep(step);
    List<String> leftNow = leaving.stream()
        .filter(id -> membership.state(id).orElseThrow() == MemberState.LEFT).toList();
    if (participants.isEmpty()) {
      return leftNow.isEmpty() ? Optional.empty() : Optional.of(new Attempt(step, "", Map.of(), leftNow));
    }
    started = true;
    GlobalBatch batch = planner.plan(step);
    Assignment assignment = Assignment.balanced(batch.microBatches().size(), participants);
    audit.begin(StepAudit.of(batch, assignment));
    String planId = Long.toString(++planSeq);
    current = new Current(step, planId, participants, clock.instant());
    throughput.attemptBegun(current.began);
    listener.attemptBegun(step, participants.size(), liveWorkers().size());
    List<ExchangePeer> peers = new ArrayList<>();
    for (String id : participants) {
      peers.add(ExchangePeer.newBuilder().setWorkerId(id).setDataPlane(workers.get(id).dataPlane()).build());
    }
    Map<String, StepPlan> plans = new LinkedHashMap<>();
    for (String id : participants) {
      StepPlan.Builder plan = StepPlan.newBuilder()
          .setStep(step)
          .setEpoch(batch.epoch())
          .setPlanId(planId)
          .setAttempt(attemptOfStep)
          .setWorkerId(id)
          .setTotalMicroBatches(batch.microBatches().size())
          .setTotalSamples(batch.sampleCount())
          .setLearningRate(settings.learningRate().applyAsDouble(step))
          .addAllPeers(peers);
      for (int mb : assignment.microBatchesOf(id)) {
        plan.addMicroBatches(toWire(batch.microBatches().get(mb)));
      }
      plans.put(id, plan.build());
    }
    // A first attempt is routine (the progress display and /status show it); a retry is news.
    LOG.atLevel(attemptOfStep == 0 && step % LOG_EVERY != 0 ? Level.DEBUG : Level.INFO)
        .log("step {} attempt {} (plan {}): {} micro-batches over {}", step, attemptOfStep, planId,
            batch.microBatches().size(), assignment);
    return Optional.of(new Attempt(step, planId, plans, leftNow));
  }

  /**
   * Starts a state transfer if one is due: at a step boundary (no attempt or transfer in flight,
   * at least one step committed), for the first pending worker by id that lacks the run's state
   * (never synced, or synced to a state a later step has replaced)
   * (and has not failed {@value #MAX_TRANSFER_FAILURES} transfers), from the first active worker
   * by id. While it is in flight {@link #tryBegin()} plans nothing.
   */
  public Optional<Transfer> nextTransfer() {
    if (finished != null || current != null || transfer != null || membership.nextStep() == 0) {
      return Optional.empty();
    }
    Optional<String> joiner = membership.members().stream()
        .filter(m -> m.state() == MemberState.PENDING && (!m.synced() || m.syncedAfterStep() != membership.nextStep() - 1))
        .map(m -> m.id())
        .filter(id -> transferFailures.getOrDefault(id, 0) < MAX_TRANSFER_FAILURES)
        .findFirst();
    List<String> donors = membership.inState(MemberState.ACTIVE);
    if (joiner.isEmpty() || donors.isEmpty()) {
      return Optional.empty();
    }
    long afterStep = membership.nextStep() - 1;
    String id = "t" + (++transferSeq);
    WorkerInfo to = workers.get(joiner.get());
    StateTransferRequest request = StateTransferRequest.newBuilder()
        .setTransferId(id)
        .setJoinerWorkerId(to.id())
        .setJoinerDataPlane(to.dataPlane())
        .setAfterStep(afterStep)
        .build();
    transfer = new Transfer(id, donors.get(0), to.id(), request);
    LOG.info("state transfer {}: {} sends its state after step {} to {}; step {} waits for it", id, donors.get(0),
        afterStep, to.id(), afterStep + 1);
    return Optional.of(transfer);
  }

  /** The joiner's report on a transfer: syncs it when it installed the run's state. */
  public TransferOutcome onTransferDone(StateTransferDone d) {
    if (transfer == null || !transfer.transferId().equals(d.getTransferId())
        || !transfer.joiner().equals(d.getWorkerId())) {
      LOG.debug("ignoring StateTransferDone {} from {} (in flight: {})", d.getTransferId(), d.getWorkerId(),
          transfer == null ? "none" : transfer.transferId());
      return TransferOutcome.IGNORED;
    }
    Transfer t = transfer;
    long afterStep = t.request().getAfterStep();
    String sha = HexFormat.of().formatHex(d.getParameterSha256().toByteArray());
    if (!d.getError().isEmpty()) {
      return transferFailed("the joiner reported: " + d.getError());
    }
    if (d.getAfterStep() != afterStep) {
      return transferFailed("the joiner installed the state after step " + d.getAfterStep() + ", not " + afterStep);
    }
    if (!sha.equals(lastSha)) {
      return transferFailed("the joiner's installed parameters have sha256 " + shortSha(sha)
          + " but the run's after step " + afterStep + " are " + shortSha(lastSha));
    }
    transfer = null;
    membership.synced(t.joiner(), afterStep);
    transfers.add(new RunSummary.StateTransfer(t.transferId(), t.joiner(), t.donor(), afterStep, "installed", ""));
    LOG.info("state transfer {} done: {} holds the state after step {} ({}) and enters with step {}",
        t.transferId(), t.joiner(), afterStep, shortSha(sha), afterStep + 1);
    return TransferOutcome.SYNCED;
  }

  /** The transfer {@code transferId} ran out of time; abandons it if it is still in flight. */
  public boolean onTransferTimeout(String transferId, String detail) {
    if (transfer == null || !transfer.transferId().equals(transferId)) {
      return false;
    }
    transferFailed(detail);
    return true;
  }

  /** The state transfer in flight, if any. */
  public Optional<Transfer> currentTransfer() {
    return Optional.ofNullable(transfer);
  }

  /**
   * The checkpoint to ask for now, if one is owed: at a step boundary (no attempt or transfer in
   * flight) whose next step is the checkpoint's, from the first worker by id that holds the run's
   * state and was not asked for it yet. Ends the run as failed when the final checkpoint is owed
   * and every worker that could write it was asked already.
   */
  public Optional<CheckpointAsk> nextCheckpoint() {
    if (checkpoints == null || finished != null || current != null || transfer != null) {
      return Optional.empty();
    }
    long next = membership.nextStep();
    checkpoints.oweFinalIfMissing(next);
    List<String> candidates = membership.members().stream()
        .filter(m -> m.state() == MemberState.ACTIVE
            || (m.state() == MemberState.PENDING && m.synced() && m.syncedAfterStep() == next - 1))
        .map(m -> m.id())
        .toList();
    if (checkpoints.finalUnwritable(candidates)) {
      finish(RunOutcome.RUN_OUTCOME_FAILED, "the final checkpoint after " + next + " steps could not be written:"
          + " every worker holding the run's state (" + candidates + ") was asked and none wrote it");
      return Optional.empty();
    }
    Optional<CheckpointSchedule.Ask> ask = checkpoints.next(next, candidates);
    if (ask.isEmpty()) {
      return Optional.empty();
    }
    CheckpointSchedule.Ask a = ask.get();
    var cursor = planner.cursorBefore(a.stepsDone());
    var plan = planner.runPlan();
    CheckpointRequest request = CheckpointRequest.newBuilder()
        .setCheckpointId(a.id())
        .setStepsDone(a.stepsDone())
        .setEpoch(cursor.epoch())
        .setPositionInEpoch(cursor.position())
        .setParameterSha256(ByteString.copyFrom(HexFormat.of().parseHex(lastSha)))
        .setDirectory(checkpointDir)
        .setKeep(checkpointKeep)
        .setPlan(PlanShape.newBuilder()
            .setSeed(plan.seed())
            .setGlobalBatchSize(plan.globalBatchSize())
            .setMicroBatchSize(plan.microBatchSize())
            .setShots(plan.shots())
            .setStrategy(plan.strategy().name()))
        .setFinal(a.isFinal())
        .build();
    LOG.info("checkpoint {}: {} writes the state after step {}{} ({})", a.id(), a.writer(), a.stepsDone() - 1,
        a.isFinal() ? ", the run's last" : "", shortSha(lastSha));
    return Optional.of(new CheckpointAsk(a.writer(), request));
  }

  /**
   * A writer's acknowledgement: records the checkpoint (in the run state too), and ends the run
   * when it was the final one (completed) or the final one failed (failed).
   */
  public CheckpointSchedule.Result onCheckpointWritten(CheckpointWritten w) {
    if (checkpoints == null || finished != null) {
      return CheckpointSchedule.Result.IGNORED;
    }
    CheckpointSchedule.Result r = checkpoints.written(w.getCheckpointId(), w.getWorkerId(), w.getPath(), w.getError());
    switch (r) {
      case IGNORED -> LOG.debug("ignoring checkpoint acknowledgement {} from {}", w.getCheckpointId(), w.getWorkerId());
      case WRITTEN, FINAL_WRITTEN -> {
        LOG.info("checkpoint {} after {} steps written by {}: {}", w.getCheckpointId(), w.getStepsDone(),
            w.getWorkerId(), w.getPath());
        if (stateFile != null) {
          try {
            saveState();
          } catch (IOException e) {
            finish(RunOutcome.RUN_OUTCOME_FAILED, "cannot write the run state " + stateFile.path()
                + " after checkpoint " + w.getPath() + ": " + e.getMessage());
            return r;
          }
        }
        if (r == CheckpointSchedule.Result.FINAL_WRITTEN && membership.nextStep() >= settings.maxSteps()) {
          finish(RunOutcome.RUN_OUTCOME_COMPLETED, "all " + settings.maxSteps() + " steps committed; final checkpoint "
              + w.getPath());
        }
      }
      case FAILED -> LOG.error("checkpoint {} after {} steps failed on {}: {}; the run goes on, the next scheduled"
          + " checkpoint is written as planned", w.getCheckpointId(), w.getStepsDone(), w.getWorkerId(), w.getError());
      case FINAL_FAILED -> finish(RunOutcome.RUN_OUTCOME_FAILED, "the final checkpoint after " + w.getStepsDone()
          + " steps could not be written by " + w.getWorkerId() + ": " + w.getError());
    }
    return r;
  }

  /** True while the run's steps are all planned but its final checkpoint is not written yet. */
  private boolean awaitingFinalCheckpoint() {
    return checkpoints != null && !checkpoints.finalWritten();
  }

  /** Records a participant's result; commits the step once every participant has reported. */
  public ResultOutcome onResult(StepResult r) {
    if (current == null || !current.planId.equals(r.getPlanId())) {
      LOG.debug("ignoring a result of plan {} from {} (current plan {})", r.getPlanId(), r.getWorkerId(),
          current == null ? "none" : current.planId);
      return ResultOutcome.IGNORED;
    }
    if (!current.participants.contains(r.getWorkerId()) || r.getStep() != current.step) {
      LOG.warn("ignoring a result for step {} plan {} from {}, which is not a participant of step {}",
          r.getStep(), r.getPlanId(), r.getWorkerId(), current.step);
      return ResultOutcome.IGNORED;
    }
    current.results.put(r.getWorkerId(), r);
    if (current.results.size() < current.participants.size()) {
      return ResultOutcome.WAITING;
    }
    long step = current.step;
    Map<String, String> shas = new TreeMap<>();
    double lossSum = 0;
    long samples = 0;
    for (StepResult each : current.results.values()) {
      shas.put(each.getWorkerId(), HexFormat.of().formatHex(each.getParameterSha256().toByteArray()));
      lossSum += each.getLossSum();
      samples += each.getSampleCount();
    }
    if (shas.values().stream().distinct().count() != 1 || shas.values().iterator().next().isEmpty()) {
      StringBuilder detail = new StringBuilder("replicas disagree after step " + step + ":");
      shas.forEach((id, sha) -> detail.append(' ').append(id).append('=').append(shortSha(sha)));
      audit.abort(step);
      membership.abortStep(step);
      current = null;
      finish(RunOutcome.RUN_OUTCOME_FAILED, detail.toString());
      return ResultOutcome.FAILED;
    }
    try {
      audit.commit(step);
    } catch (IOException e) {
      audit.abort(step);
      membership.abortStep(step);
      current = null;
      finish(RunOutcome.RUN_OUTCOME_FAILED, "cannot write the sample audit for step " + step + ": " + e.getMessage());
      return ResultOutcome.FAILED;
    }
    membership.commitStep(step);
    if (checkpoints != null) {
      checkpoints.committed(step);
    }
    lastSha = shas.values().iterator().next();
    losses.add(samples == 0 ? Double.NaN : lossSum / samples);
    Instant now = clock.instant();
    throughput.committed(now, samples);
    lastCommitted.putAll(current.results);
    Duration wallTime = Duration.between(current.began, now);
    current = null;
    attemptOfStep = 0;
    takeover = false;
    LOG.atLevel(step % LOG_EVERY == 0 || step + 1 >= settings.maxSteps() ? Level.INFO : Level.DEBUG)
        .log("step {} committed: loss {} over {} samples, parameters {}", step,
            String.format("%.4f", losses.get(losses.size() - 1)), samples, shortSha(lastSha));
    // The run state follows in writeStateIfDue(), once the next plan is out: a standby that finds
    // it one commit behind the audit copes (see takeover). After the last step no plan follows, so
    // a run still owing its final checkpoint writes it here; the run's end writes it otherwise.
    stateDue = stateFile != null && step + 1 < settings.maxSteps();
    if (stateFile != null && step + 1 >= settings.maxSteps() && awaitingFinalCheckpoint()) {
      try {
        saveState();
      } catch (IOException e) {
        finish(RunOutcome.RUN_OUTCOME_FAILED, "cannot write the run state " + stateFile.path() + " after step " + step
            + ": " + e.getMessage());
        return ResultOutcome.FAILED;
      }
    }
    listener.stepCommitted(step, losses.get(losses.size() - 1), samples, wallTime, liveWorkers().size());
    if (step + 1 >= settings.maxSteps() && awaitingFinalCheckpoint()) {
      LOG.info("all {} steps committed; the run ends once its final checkpoint is written", settings.maxSteps());
      return ResultOutcome.COMMITTED;
    }
    if (step + 1 >= settings.maxSteps()) {
      finish(RunOutcome.RUN_OUTCOME_COMPLETED, "all " + settings.maxSteps() + " steps committed");
      return ResultOutcome.FINISHED;
    }
    return ResultOutcome.COMMITTED;
  }

  /**
   * Writes the run state of the latest commit if it is not written yet. The coordinator calls this
   * right after sending the next plan, so the write overlaps the workers' compute instead of
   * delaying the plan. A failed write ends the run (and abandons the attempt in flight).
   */
  public Optional<Abort> writeStateIfDue() {
    if (!stateDue) {
      return Optional.empty();
    }
    stateDue = false;
    try {
      saveState();
      return Optional.empty();
    } catch (IOException e) {
      return fail("cannot write the run state " + stateFile.path() + " after step " + (membership.nextStep() - 1)
          + ": " + e.getMessage());
    }
  }

  /** A participant could not finish its part of the attempt {@code a.plan_id}: the attempt is abandoned. */
  public Optional<Abort> onWorkerAbort(StepAborted a) {
    if (current == null || !current.planId.equals(a.getPlanId())) {
      noteLateReport(a);
      return Optional.empty();
    }
    return Optional.of(abort(a.getReason(), a.getFailedWorkerId(),
        a.getReportingWorkerId() + " reported: " + a.getDetail()));
  }

  /** {@code id} died; aborts the attempt in flight when it took part. Unknown ids are ignored. */
  public Optional<Abort> onDeath(String id, String detail) {
    if (membership.state(id).isEmpty()) {
      return Optional.empty();
    }
    boolean wasDead = membership.state(id).orElseThrow() == MemberState.DEAD;
    boolean inFlight = membership.died(id, detail);
    if (!wasDead && membership.state(id).orElseThrow() == MemberState.DEAD) {
      listener.workerDied(id, liveWorkers().size());
    }
    cancelTransferOf(id, "worker " + id + " died: " + detail);
    if (checkpoints != null) {
      checkpoints.writerGone(id, "worker " + id + " died: " + detail);
    }
    if (inFlight && current != null) {
      return Optional.of(abort(AbortReason.ABORT_REASON_PEER_DIED, id, "worker " + id + " died: " + detail));
    }
    return Optional.empty();
  }

  /** The attempt {@code planId} ran out of time; abandons it if it is still in flight. */
  public Optional<Abort> onTimeout(String planId, String detail) {
    if (current == null || !current.planId.equals(planId)) {
      return Optional.empty();
    }
    List<String> silent = current.participants.stream().filter(id -> !current.results.containsKey(id)).toList();
    return Optional.of(abort(AbortReason.ABORT_REASON_COORDINATOR, silent.size() == 1 ? silent.get(0) : "",
        detail + "; no result from " + silent));
  }

  /**
   * A worker announces it leaves: it takes part in no attempt planned from now on, and may
   * exit after the step in flight (named in the answer) or at once.
   */
  public Optional<LeaveAccepted> onLeave(LeaveNotice n) {
    String id = n.getWorkerId();
    if (membership.state(id).isEmpty()) {
      return Optional.empty();
    }
    boolean inFlight = membership.leave(id, n.getReason() + (n.getDetail().isEmpty() ? "" : ": " + n.getDetail()));
    if (transfer != null && transfer.joiner().equals(id)) {
      cancelTransferOf(id, "the joiner " + id + " leaves");
    }
    if (checkpoints != null) {
      checkpoints.writerGone(id, "worker " + id + " leaves");
    }
    LeaveAccepted.Builder answer = LeaveAccepted.newBuilder().setWorkerId(id);
    if (inFlight && current != null) {
      answer.setLastStep(current.step);
    }
    return Optional.of(answer.build());
  }

  /** Ends the run as failed (e.g. no progress for too long), abandoning any attempt in flight. */
  public Optional<Abort> fail(String detail) {
    Optional<Abort> abort = Optional.empty();
    if (current != null) {
      abort = Optional.of(abort(AbortReason.ABORT_REASON_COORDINATOR, "", detail));
    }
    if (finished == null) {
      finish(RunOutcome.RUN_OUTCOME_FAILED, detail);
    }
    return abort;
  }

  /** The end of the run, once it has ended. */
  public Optional<RunFinished> finished() {
    return Optional.ofNullable(finished);
  }

  /** The plan id of the attempt in flight, if any. */
  public Optional<String> currentPlanId() {
    return current == null ? Optional.empty() : Optional.of(current.planId);
  }

  /** Where {@code id} stands in the membership, if it ever registered. */
  public Optional<MemberState> memberState(String id) {
    return membership.state(id);
  }

  /** Workers that are pending, active or leaving. */
  public List<String> liveWorkers() {
    List<String> out = new ArrayList<>();
    membership.members().forEach(m -> {
      if (m.state().isLive()) {
        out.add(m.id());
      }
    });
    return out;
  }

  /** The run so far, for reports and tests. */
  public RunSummary summary() {
    Map<String, Long> pids = new TreeMap<>();
    workers.forEach((id, w) -> pids.put(id, w.processId()));
    boolean completed = finished != null && finished.getOutcome() == RunOutcome.RUN_OUTCOME_COMPLETED;
    return new RunSummary(completed, finished == null ? "running" : finished.getDetail(), membership.nextStep(),
        stepsAborted, lastSha, losses, membership.events(), pids, aborts, transfers,
        checkpoints == null ? List.of() : checkpoints.outcomes(),
        checkpoints == null ? startCheckpoint : checkpoints.newestPath());
  }

  /** The status a StatusQuery gets. */
  public StatusReply status(int maxEvents) {
    long next = membership.nextStep();
    StatusReply.Builder b = StatusReply.newBuilder()
        .setStep(next)
        .setEpoch(planner.epochOf(next))
        .setPositionInEpoch(planner.cursorBefore(next).position())
        .setLastLoss(losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1))
        .setSamplesPerSecond(throughput.perSecond())
        .setStepsAborted(stepsAborted);
    membership.members().forEach(m -> {
      WorkerInfo w = workers.get(m.id());
      MemberStatus.Builder member = MemberStatus.newBuilder()
          .setWorkerId(m.id())
          .setState(WorkerState.forNumber(m.state().ordinal() + 1))
          .setNodeAddress(w.nodeAddress())
          .setProcessId(w.processId());
      StepResult last = lastCommitted.get(m.id());
      if (last != null) {
        member.setLastCompletedStep(last.getStep());
        member.setSamplesPerSecond(last.getComputeMillis() > 0
            ? last.getSampleCount() / (last.getComputeMillis() / 1000.0) : 0);
      }
      b.addMembers(member);
    });
    for (MembershipEvent e : membership.recentEvents(maxEvents <= 0 ? 20 : maxEvents)) {
      b.addRecentEvents(dev.mmict.protocol.v1.MembershipEvent.newBuilder()
          .setUnixMillis(e.time().toEpochMilli())
          .setWorkerId(e.workerId())
          .setKind(MembershipEventKind.forNumber(e.kind().ordinal() + 1))
          .setStep(e.step())
          .setDetail(e.detail()));
    }
    return b.build();
  }

  private Abort abort(AbortReason reason, String failedWorker, String detail) {
    Current c = current;
    audit.abort(c.step);
    membership.abortStep(c.step);
    current = null;
    stepsAborted++;
    attemptOfStep++;
    LOG.warn("step {} attempt (plan {}) aborted: {} {}", c.step, c.planId, reason, detail);
    aborts.add(new RunSummary.AbortedAttempt(c.step, c.planId, reason.name(), failedWorker == null ? "" : failedWorker,
        detail));
    StepAborted notice = StepAborted.newBuilder()
        .setStep(c.step)
        .setPlanId(c.planId)
        .setReason(reason)
        .setFailedWorkerId(failedWorker == null ? "" : failedWorker)
        .setDetail(detail)
        .build();
    if (attemptOfStep >= settings.maxAttemptsPerStep()) {
      finish(RunOutcome.RUN_OUTCOME_FAILED, "step " + c.step + " was aborted " + attemptOfStep
          + " times; the last: " + detail);
    }
    listener.attemptAborted(c.step, reason.name(), liveWorkers().size());
    return new Abort(notice, c.participants);
  }

  /**
   * Adds a worker's report on an attempt that is already abandoned to that attempt's record:
   * when one failure makes several workers fail, the first report to arrive aborts the attempt
   * and may be an effect (a closed connection) rather than the cause (a corrupted chunk).
   */
  private void noteLateReport(StepAborted a) {
    for (int i = aborts.size() - 1; i >= 0; i--) {
      RunSummary.AbortedAttempt old = aborts.get(i);
      if (old.planId().equals(a.getPlanId())) {
        aborts.set(i, new RunSummary.AbortedAttempt(old.step(), old.planId(), old.reason(), old.failedWorker(),
            old.detail() + "; then " + a.getReportingWorkerId() + " reported: " + a.getDetail()));
        return;
      }
    }
  }

  private TransferOutcome transferFailed(String detail) {
    Transfer t = transfer;
    transfer = null;
    int failures = transferFailures.merge(t.joiner(), 1, Integer::sum);
    transfers.add(new RunSummary.StateTransfer(t.transferId(), t.joiner(), t.donor(), t.request().getAfterStep(),
        "failed", detail));
    if (failures >= MAX_TRANSFER_FAILURES) {
      LOG.error("state transfer {} to {} failed ({}); that was its {}th failure: it stays pending without state",
          t.transferId(), t.joiner(), detail, failures);
    } else {
      LOG.warn("state transfer {} to {} failed ({}); the run goes on and tries again at the next boundary",
          t.transferId(), t.joiner(), detail);
    }
    return TransferOutcome.FAILED;
  }

  private void cancelTransferOf(String id, String detail) {
    if (transfer != null && (transfer.joiner().equals(id) || transfer.donor().equals(id))) {
      Transfer t = transfer;
      transfer = null;
      transfers.add(new RunSummary.StateTransfer(t.transferId(), t.joiner(), t.donor(), t.request().getAfterStep(),
          "cancelled", detail));
      LOG.warn("state transfer {} cancelled: {}", t.transferId(), detail);
    }
  }

  private void finish(RunOutcome outcome, String detail) {
    if (finished != null) {
      return;
    }
    finished = RunFinished.newBuilder()
        .setOutcome(outcome)
        .setStepsCommitted(membership.nextStep())
        .setParameterSha256(ByteString.copyFrom(HexFormat.of().parseHex(lastSha)))
        .setDetail(detail)
        .build();
    if (outcome == RunOutcome.RUN_OUTCOME_COMPLETED) {
      LOG.info("run {} completed: {}", settings.runId(), detail);
    } else {
      LOG.error("run {} failed: {}", settings.runId(), detail);
    }
    if (stateFile != null) {
      try {
        saveState();
      } catch (IOException e) {
        // The run has ended either way; a standby taking over later re-derives the end from the audit.
        LOG.error("run {}: cannot record its end in the run state {}: {}", settings.runId(), stateFile.path(),
            e.toString());
      }
    }
  }

  private void saveState() throws IOException {
    stateDue = false;
    String outcome = finished == null ? RunState.RUNNING
        : finished.getOutcome() == RunOutcome.RUN_OUTCOME_COMPLETED ? RunState.COMPLETED : RunState.FAILED;
    stateFile.write(new RunState(RunState.FORMAT, settings.runId(), settings.modelFingerprint(), incarnation,
        membership.nextStep() - 1, lastSha, stepsAborted, losses, outcome,
        finished == null ? "" : finished.getDetail(),
        checkpoints == null ? startCheckpointSteps : checkpoints.newestStepsDone(),
        checkpoints == null ? startCheckpoint : checkpoints.newestPath()));
  }

  private boolean isSynced(String id) {
    return membership.members().stream().anyMatch(m -> m.id().equals(id) && m.synced());
  }

  private long syncedOrActive() {
    return membership.members().stream()
        .filter(m -> m.state() == MemberState.ACTIVE || (m.state() == MemberState.PENDING && m.synced()))
        .count();
  }

  private Registration accept(String id, boolean transfer) {
    return new Registration(Optional.of(RegistrationAccepted.newBuilder()
        .setWorkerId(id)
        .setProtocolVersion(VERSION)
        .setNextStep(membership.nextStep())
        .setStateTransferRequired(transfer)
        .build()), Optional.empty());
  }

  private Registration refuse(RegisterWorker r, RefusalReason reason, String detail) {
    LOG.warn("refused worker {} (process {}): {}", r.getWorkerId(), r.getProcessId(), detail);
    return new Registration(Optional.empty(), Optional.of(RegistrationRefused.newBuilder()
        .setWorkerId(r.getWorkerId())
        .setReason(reason)
        .setDetail(detail)
        .setExpectedProtocolVersion(VERSION)
        .setExpectedModelFingerprint(settings.modelFingerprint())
        .build()));
  }

  private static dev.mmict.protocol.v1.MicroBatch toWire(MicroBatch mb) {
    dev.mmict.protocol.v1.MicroBatch.Builder b = dev.mmict.protocol.v1.MicroBatch.newBuilder().setMicroBatchId(mb.id());
    for (PlannedQuery q : mb.queries()) {
      QueryAssignment.Builder qa = QueryAssignment.newBuilder().setSampleIndex(q.sample());
      for (int d : q.demonstrations()) {
        qa.addDemonstrationIndices(d);
      }
      b.addQueries(qa);
    }
    return b.build();
  }

  private static String shortSha(String hex) {
    return hex.length() > 12 ? hex.substring(0, 12) + "…" : hex;
  }
}
