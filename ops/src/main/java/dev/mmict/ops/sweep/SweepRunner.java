package dev.mmict.ops.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.sweep.AshaScheduler;
import dev.mmict.coordinator.sweep.StaleTermException;
import dev.mmict.coordinator.sweep.SweepLease;
import dev.mmict.coordinator.sweep.SweepPlan;
import dev.mmict.coordinator.sweep.SweepPlanner;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.SweepStateStore;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialSpec;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.cluster.ExternalWorkers;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.SweepConfig;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.protocol.v1.JoinTrial;
import dev.mmict.worker.train.ValidationLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a sweep's trials on this machine: the sweep process is the scheduler, each trial stretch runs
 * in its own child JVM ({@link TrialLauncher}), at most {@code parallel} trials at once. With
 * {@code budget.workersPerTrial} K = 1 that JVM is the trial's one worker. With K >= 2 the sweep
 * opens a pool ({@link WorkerPool}) on a TCP endpoint, starts {@code budget.workers} worker JVMs of
 * its own that join it, and keeps them across trials; pool workers started on other machines
 * ({@code mmict worker --pool-join}) join the same pool at any time and are treated alike. A trial
 * stretch's JVM is the coordinator of a cluster of its own that starts no workers; the sweep tells
 * the trial's group of pool workers (chosen by {@link SweepPlanner}) to join it, and when the
 * stretch ends they leave and serve the next trial.
 *
 * <p>A trial advances rung by rung ({@link RungPlan}): a process trains it to the next rung with the
 * full {@code trainer.steps} schedule, checkpoints and evaluates there, and exits; the objective in
 * its report goes to ASHA ({@link AshaScheduler}), which stops the trial or lets the next process
 * resume it from that checkpoint. Every change is saved in the durable {@link SweepStateStore} state
 * and journalled ({@link EventJournal}), so a restarted sweep neither reruns finished trials nor loses
 * running ones (they resume from their checkpoints). A trial process that dies is restarted from its
 * latest checkpoint, at most {@code maxRestarts} times in a row; exits that a restart cannot fix
 * (usage, config and data errors) fail the trial at once. A worker JVM of a trial's cluster that
 * dies is not a trial failure: the cluster goes on with the survivors (elastic training), the death,
 * read from the segment's report, is named in the trial's next event, the pool drops the worker and,
 * when the sweep had started it, starts a replacement JVM (at most as many replacements as the pool
 * has workers; a worker started elsewhere is not replaced, but may join again). Which trial gets
 * which workers is {@link SweepPlanner}'s rule (with K = 1, one process slot stands for one trial).
 * A trial's worker-seconds are the seconds each worker was held by it ({@link HeldWorkers}).
 *
 * <p>One process runs a sweep directory at a time: it holds the directory's lease ({@link
 * SweepLeaseHolder}) while it runs, and writes the state in the lease's term. A standby waits for
 * the holder to stop renewing and then continues the sweep from the durable state exactly as a
 * restart does; a holder that finds its lease taken over kills its trial processes and stops without
 * writing anything more (the state store refuses its term).
 *
 * <p>Not thread-safe, except {@link #requestStop()}.
 */
public final class SweepRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SweepRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Told of every trial event, after it is journalled (tests, progress displays). */
    @FunctionalInterface
    public interface Listener {
        /** Called on the sweep's thread; must return quickly. */
        void onEvent(TrialEvent event);

        /** A listener that does nothing. */
        Listener NONE = event -> { };
    }

    /**
     * How the sweep runs here.
     *
     * @param outDir the sweep's directory: state, journal, trials, results
     * @param parallel trial processes at once (the sweep file's {@code budget.parallel}, or a bench's);
     *     each trains on the sweep file's {@code budget.workersPerTrial} workers
     * @param maxRestarts restarts of a trial process that died, in a row, before the trial fails
     * @param trialHeapMiB -Xmx of each trial JVM
     * @param poolWorkers worker JVMs of the pool when {@code workersPerTrial} >= 2; 0: the sweep file's
     *     {@code budget.workers}, or {@code parallel × workersPerTrial} when that is 0 too
     * @param workerHeapMiB -Xmx of each pool worker JVM
     * @param poolListen {@code HOST:PORT} the pool listens on for its workers (port 0: a free one);
     *     HOST is an address of this machine, which its own pool workers bind too
     */
    public record Options(Path outDir, int parallel, int maxRestarts, int trialHeapMiB, int poolWorkers,
            int workerHeapMiB, String poolListen) {

        /** Where the pool listens unless told: loopback, a free port (workers of this machine only). */
        public static final String LOCAL_POOL = "127.0.0.1:0";

        /** Options with the sweep file's pool and 2 GiB pool workers. */
        public Options(Path outDir, int parallel, int maxRestarts, int trialHeapMiB) {
            this(outDir, parallel, maxRestarts, trialHeapMiB, 0, 2048);
        }

        /** Options whose pool listens on {@link #LOCAL_POOL}. */
        public Options(Path outDir, int parallel, int maxRestarts, int trialHeapMiB, int poolWorkers,
                int workerHeapMiB) {
            this(outDir, parallel, maxRestarts, trialHeapMiB, poolWorkers, workerHeapMiB, LOCAL_POOL);
        }

        /** Checks the counts. */
        public Options {
            if (parallel < 1) {
                throw new IllegalArgumentException("parallel must be >= 1, got " + parallel);
            }
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("max restarts must be >= 0, got " + maxRestarts);
            }
            if (poolWorkers < 0) {
                throw new IllegalArgumentException("pool workers must be >= 0, got " + poolWorkers);
            }
            PoolLink.endpoint(poolListen, "the pool's listen address");
        }
    }

    /**
     * How a run of the sweep ended.
     *
     * @param state the final state
     * @param finished whether every trial is final (false when stopped by {@link #requestStop()})
     * @param wallSeconds this invocation's wall time
     * @param results the files written (results.md, results.json, objective.png, best-config.yaml)
     */
    public record Outcome(SweepState state, boolean finished, double wallSeconds, SweepResults.Written results) { }

    /** What the sweep's thread waits for: a trial process ended, or a pool worker reported. */
    private sealed interface Signal permits TrialExited, FromPool { }

    private record TrialExited(String trial) implements Signal { }

    private record FromPool(WorkerPool.Signal signal) implements Signal { }

    /** A trial process that is running, and the workers it holds. */
    private static final class Running {
        final Process process;
        final TrialLauncher.Segment segment;
        final long fromStep;
        final long startNanos;
        final int restart;
        final HeldWorkers held;
        /** Pool stretches: where the trial JVM announces its cluster; null when it trains in its own JVM. */
        final Path announceFile;
        ExternalWorkers.Announcement announcement;
        final List<String> joined = new ArrayList<>();
        final List<String> died = new ArrayList<>();

        Running(Process process, TrialLauncher.Segment segment, long fromStep, long startNanos, int restart,
                HeldWorkers held, Path announceFile) {
            this.process = process;
            this.segment = segment;
            this.fromStep = fromStep;
            this.startNanos = startNanos;
            this.restart = restart;
            this.held = held;
            this.announceFile = announceFile;
        }
    }

    /** The pseudo-worker a stretch holds when it trains in the trial's own JVM. */
    private static final String TRIAL_JVM = "trial-jvm";

    private final SweepDefinition sweep;
    private final Options options;
    private final Listener listener;
    private final RungPlan rungs;
    private final TrialLauncher launcher;
    private final EventJournal journal;
    private final SweepLeaseHolder.Settings leaseSettings;
    private SweepStateStore store;
    private SweepLeaseHolder lease;
    /** Set when a save was refused because another process took the sweep over: nothing more is written. */
    private StaleTermException fenced;
    private final int workersPerTrial;
    private final int poolSize;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private Map<String, List<String>> assignments = new LinkedHashMap<>();
    private volatile boolean stopRequested;
    private SweepState state;
    private Optional<AshaScheduler> scheduler = Optional.empty();
    private WorkerPool pool;
    private int replacements;

    /**
     * @param sweep the loaded, checked sweep file
     * @param listener told of every trial event
     * @throws CommandFailure (config error) for what this runner cannot run: an ASHA sweep whose
     *     trials' {@code trainer.steps} differ from {@code maxT}, or a search over {@code trainer.steps}
     */
    public SweepRunner(SweepDefinition sweep, Options options, Listener listener) {
        this(sweep, options, SweepLeaseHolder.Settings.defaults(), listener);
    }

    /**
     * @param sweep the loaded, checked sweep file
     * @param lease how this process takes the sweep directory's lease (at once, or as a standby)
     * @param listener told of every trial event
     * @throws CommandFailure (config error) as {@link #SweepRunner(SweepDefinition, Options, Listener)}
     */
    public SweepRunner(SweepDefinition sweep, Options options, SweepLeaseHolder.Settings lease, Listener listener) {
        this.leaseSettings = lease;
        this.sweep = sweep;
        this.options = options;
        this.listener = listener;
        checkRunnable(sweep);
        this.rungs = RungPlan.of(sweep.asha(), sweep.trialConfigs().isEmpty() ? 1
                : sweep.trialConfigs().get(0).trainer().steps());
        this.launcher = new TrialLauncher(options.trialHeapMiB(),
                PoolLink.endpoint(options.poolListen(), "the pool's listen address").getHostString());
        this.workersPerTrial = sweep.config().budget().workersPerTrial();
        this.poolSize = options.poolWorkers() > 0 ? options.poolWorkers()
                : sweep.config().budget().workers() > 0 ? sweep.config().budget().workers()
                : options.parallel() * workersPerTrial;
        this.journal = new EventJournal(options.outDir());
    }

    /** Whether trials train on the shared pool (K >= 2) rather than in their own JVM (K = 1). */
    private boolean onPool() {
        return workersPerTrial >= 2;
    }

    /** Refuses sweeps this runner cannot run faithfully, naming the keys. */
    static void checkRunnable(SweepDefinition sweep) {
        long last = -1;
        for (int i = 0; i < sweep.trials().size(); i++) {
            int steps = sweep.trialConfigs().get(i).trainer().steps();
            if (sweep.asha().isPresent() && steps != sweep.asha().get().maxT()) {
                throw new CommandFailure(ExitCodes.CONFIG_ERROR, sweep.source() + ": " + sweep.trials().get(i).id()
                        + " has trainer.steps " + steps + " but scheduler.maxT is " + sweep.asha().get().maxT()
                        + ": a trial trains to maxT on one learning-rate schedule, so set base.trainer.steps to"
                        + " maxT", null);
            }
            if (sweep.asha().isEmpty() && last >= 0 && steps != last) {
                throw new CommandFailure(ExitCodes.CONFIG_ERROR, sweep.source() + ": trainer.steps differs between"
                        + " trials (" + last + " and " + steps + "); searching trainer.steps is not supported", null);
            }
            last = steps;
        }
    }

    /** Ends the run soon: trial processes are killed (they resume on the next run) and {@link #run} returns. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Takes the sweep directory's lease (waiting for it as a standby), then runs (or continues) the
     * sweep until every trial is final or a stop is requested.
     *
     * @throws CommandFailure a cluster error (exit 5) when another process holds the lease, a standby
     *     waited in vain, or this process lost the lease to another one while it ran
     */
    public Outcome run() throws IOException, InterruptedException {
        Files.createDirectories(options.outDir());
        lease = SweepLeaseHolder.take(options.outDir(), leaseSettings, () -> stopRequested, this::requestStop);
        try {
            return runHolding();
        } catch (StaleTermException e) {
            throw CommandFailure.clusterError("this sweep process lost the sweep of " + options.outDir()
                    + " to another one and stopped its trial processes: " + e.getMessage(), e);
        } finally {
            lease.close();
        }
    }

    private Outcome runHolding() throws IOException, InterruptedException {
        long start = System.nanoTime();
        store = new SweepStateStore(options.outDir(), lease.lease().term(), lease.lease().holder());
        try {
            state = store.openOrCreate(sweep.fingerprint(), sweep.trials());
        } catch (StaleTermException e) {
            throw e;
        } catch (IllegalStateException e) {
            throw new CommandFailure(ExitCodes.CONFIG_ERROR, formerDefaultObjective().orElse(e.getMessage()), e);
        }
        writeTrialConfigs();
        endFormerTrialProcesses();
        scheduler = sweep.asha().map(a -> state.scheduler(a, sweep.objective().mode()));
        LOG.info("sweep {}: {} trials, {} at once on {} worker{} each ({}); rungs {} up to step {}; state {}",
                sweep.source(), state.trials().size(), options.parallel(), workersPerTrial,
                workersPerTrial == 1 ? "" : "s", onPool() ? "from a pool of " + poolSize + " worker JVMs kept"
                        + " across trials" : "in the trial JVM", rungs.rungs(), rungs.lastStep(), store.file());
        SweepPlanner planner = new SweepPlanner(options.parallel(), onPool() ? workersPerTrial : 1);
        List<String> slots = new ArrayList<>();
        for (int i = 1; i <= options.parallel(); i++) {
            slots.add("slot-" + i);
        }
        assignments = new LinkedHashMap<>();
        try {
            if (onPool() && !state.finished()) {
                startPool();
            }
            while (!stopRequested) {
                SweepPlan plan = planner.plan(state, assignments, pool != null ? pool.live()
                        : onPool() ? List.of() : slots);
                assignments = new LinkedHashMap<>(plan.assignments());
                for (String id : plan.starts().keySet()) {
                    startTrial(id);
                }
                for (Map.Entry<String, List<String>> grow : plan.grows().entrySet()) {
                    Running r = running.get(grow.getKey());
                    if (r != null) {
                        LOG.info("{} is given {} to top its group up to {} workers", grow.getKey(), grow.getValue(),
                                workersPerTrial);
                        grow.getValue().forEach(w -> r.held.hold(w, System.nanoTime()));
                    }
                }
                joinAnnounced();
                if (running.isEmpty() && (pool == null || pool.starting() == 0)) {
                    break;
                }
                Signal signal = signals.poll(200, TimeUnit.MILLISECONDS);
                if (signal instanceof TrialExited exited) {
                    onExit(exited.trial());
                } else if (signal instanceof FromPool fromPool) {
                    onPoolSignal(fromPool.signal());
                }
            }
        } catch (StaleTermException e) {
            fenced = e;
            throw e;
        } finally {
            killAll();
            if (pool != null) {
                pool.close();
            }
        }
        if (fenced != null) {
            throw fenced;
        }
        lease.check();
        boolean finished = state.finished();
        if (!finished) {
            LOG.info("sweep stopped before its end: {} of {} trials final; run it again with the same config and"
                    + " --out to continue", state.trials().stream().filter(t -> t.status().isFinal()).count(),
                    state.trials().size());
        }
        double wall = (System.nanoTime() - start) / 1e9;
        SweepResults.Written written = SweepResults.write(sweep, state, EventJournal.read(options.outDir()),
                options.outDir());
        return new Outcome(state, finished, wall, written);
    }

    /**
     * After taking the sweep over from a holder on this host that stopped renewing: its trial JVMs end
     * when they notice that their parent is gone, which the JDK polls (seconds, longer on a loaded
     * machine); until then they could still write into the trial directories this process is about to
     * use. Kills those still alive: the journal names their process ids, and a process is killed only
     * if its command line is a stretch of a trial in this sweep's directory (not a reused id).
     */
    private void endFormerTrialProcesses() throws IOException, InterruptedException {
        Optional<SweepLease> from = lease.takenOverFrom();
        if (from.isEmpty() || !from.get().host().equals(lease.lease().host())) {
            return;
        }
        String trials = options.outDir().resolve("trials").toAbsolutePath().toString();
        for (TrialEvent e : EventJournal.read(options.outDir())) {
            if (e.kind() != TrialEvent.Kind.STARTED) {
                continue;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(e.pid()).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(trials)).orElse(false));
            if (p.isPresent()) {
                LOG.warn("{}: process {} of the former holder {} still runs; killing it before the sweep goes on",
                        e.trial(), e.pid(), from.get().holder());
                p.get().destroyForcibly();
                try {
                    p.get().onExit().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException ex) {
                    LOG.warn("process {} did not end within 10 s of being killed: {}", e.pid(), ex.toString());
                }
            }
        }
    }

    /**
     * Opens the pool, starts its worker JVMs on this machine and waits (at most 3 minutes) until each
     * joined or died; workers from other machines may join meanwhile and later.
     */
    private void startPool() throws IOException, InterruptedException {
        try {
            pool = new WorkerPool(options.outDir().resolve("pool"), options.workerHeapMiB(), options.poolListen(),
                    options.outDir().toAbsolutePath().toString(), s -> signals.add(new FromPool(s)));
        } catch (IOException | IllegalArgumentException e) {
            throw CommandFailure.clusterError(e.getMessage(), e);
        }
        for (int i = 0; i < poolSize; i++) {
            pool.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        List<Signal> early = new ArrayList<>();
        while (pool.starting() > 0 && System.nanoTime() < deadline && !stopRequested) {
            Signal s = signals.poll(200, TimeUnit.MILLISECONDS);
            if (s != null) {
                early.add(s);
            }
        }
        for (Signal s : early) {
            if (s instanceof FromPool p && p.signal() instanceof WorkerPool.Died d) {
                onPoolSignal(d);
            }
        }
        if (pool.live().isEmpty()) {
            throw CommandFailure.clusterError("no pool worker came up within 3 minutes; logs in "
                    + options.outDir().resolve("pool"), null);
        }
        LOG.info("pool of {} worker JVMs up: {}", pool.live().size(), pool.live().stream()
                .map(w -> w + " (" + pool.describe(w) + ")").toList());
    }

    /** Writes each trial's resolved run config, the file its processes train on. */
    private void writeTrialConfigs() {
        ConfigLoader loader = new ConfigLoader();
        for (int i = 0; i < sweep.trials().size(); i++) {
            TrialSpec t = sweep.trials().get(i);
            loader.write(sweep.trialConfigs().get(i), trialDir(t.id()).resolve("trial.yaml"));
        }
    }

    private Path trialDir(String id) {
        return options.outDir().resolve("trials").resolve(id);
    }

    /** A PENDING trial gets a slot: it starts, or resumes from its checkpoint. */
    private void startTrial(String id) throws IOException {
        TrialRecord t = state.trial(id);
        state = state.with(t.withStatus(TrialStatus.RUNNING));
        store.save(state);
        launch(id, 0, t.resumes() ? "resumes from " + t.checkpoint() : null);
    }

    private void launch(String id, int restart, String why) throws IOException {
        TrialRecord t = state.trial(id);
        long target = rungs.nextTarget(t.steps());
        Path dir = trialDir(id);
        TrialLauncher.Segment segment = new TrialLauncher.Segment(dir.resolve("trial.yaml"), dir, target,
                dir.resolve("reports").resolve("step-" + target + ".json"),
                dir.resolve("logs").resolve("step-" + target + ".log"));
        List<String> group = onPool() ? assignments.getOrDefault(id, List.of()) : List.of(TRIAL_JVM);
        Path announce = onPool() ? dir.resolve("pool").resolve("step-" + target + ".json") : null;
        Process process = launcher.start(segment, Math.max(1, group.size()), announce);
        process.onExit().thenRun(() -> signals.add(new TrialExited(id)));
        long now = System.nanoTime();
        HeldWorkers held = new HeldWorkers();
        group.forEach(w -> held.hold(w, now));
        running.put(id, new Running(process, segment, t.steps(), now, restart, held, announce));
        String detail = restart > 0 ? "restart " + restart + " of " + options.maxRestarts()
                + ", from its latest checkpoint" : why;
        detail = join(detail, onPool() ? "pool workers " + group : null);
        event(new TrialEvent(id, TrialEvent.Kind.STARTED, t.steps(), target, null, process.pid(), null,
                detail == null ? "log " + segment.log() : detail + "; log " + segment.log()));
    }

    /**
     * Sends every pool stretch's held workers that have not joined it yet to its cluster, once the
     * trial JVM announced where that is.
     */
    private void joinAnnounced() throws IOException {
        if (!onPool()) {
            return;
        }
        for (Map.Entry<String, Running> e : running.entrySet()) {
            Running r = e.getValue();
            if (r.announcement == null) {
                r.announcement = ExternalWorkers.Announcement.read(r.announceFile).orElse(null);
                if (r.announcement == null) {
                    continue;
                }
            }
            for (String w : assignments.getOrDefault(e.getKey(), List.of())) {
                if (r.joined.contains(w) || !r.held.holds(w)) {
                    continue;
                }
                // A process id means something only on the trial JVM's machine, the sweep's.
                long coordinatorPid = pool.onThisMachine(w) ? r.announcement.pid() : 0;
                pool.join(w, JoinTrial.newBuilder()
                        .setTrialId(e.getKey())
                        .setStopAt(r.segment.stopAt())
                        .setConfigPath(r.announcement.config())
                        .setSeed(r.announcement.seed())
                        .setResumeFrom(r.announcement.resumeFrom() == null ? "" : r.announcement.resumeFrom())
                        .setFinalState(r.announcement.finalState(w).toString())
                        .setCoordinatorPid(coordinatorPid)
                        .build());
                r.joined.add(w);
                LOG.info("{} ({}) joins {}'s stretch to step {} at {}", w, pool.describe(w), e.getKey(),
                        r.segment.stopAt(), r.announcement.seed());
            }
        }
    }

    /** A pool worker came up, left a stretch, or died. */
    private void onPoolSignal(WorkerPool.Signal signal) throws IOException {
        if (signal instanceof WorkerPool.Left left) {
            Running r = running.get(left.left().getTrialId());
            boolean current = r != null && r.segment.stopAt() == left.left().getStopAt();
            if (!left.left().getCompleted()) {
                LOG.warn("{} left {}'s stretch to step {} before its end: {}", left.id(), left.left().getTrialId(),
                        left.left().getStopAt(), left.left().getDetail());
                if (current && r.process.isAlive()) {
                    // It trains for that stretch no more: it is free for the trial's next stretch.
                    r.held.release(left.id(), System.nanoTime());
                    r.joined.remove(left.id());
                }
            }
        } else if (signal instanceof WorkerPool.Died died) {
            long now = System.nanoTime();
            for (Map.Entry<String, Running> e : running.entrySet()) {
                if (e.getValue().held.holds(died.id())) {
                    e.getValue().held.release(died.id(), now);
                    e.getValue().died.add(died.id());
                    LOG.warn("pool worker {} (process {}) died (exit {}) while {} held it{}: the trial goes on with"
                            + " the others", died.id(), died.pid(), died.exitCode(), e.getKey(),
                            died.detail() == null ? "" : "; " + died.detail());
                }
                // A worker of that id that joins again is a new member: free, not this trial's old one.
                e.getValue().joined.remove(died.id());
            }
            assignments.replaceAll((trial, group) -> group.stream().filter(w -> !w.equals(died.id())).toList());
            if (!died.local()) {
                LOG.warn("pool worker {} (process {}, started outside this sweep) left the pool: {}; it is not"
                        + " replaced (it may join again); the pool has {} workers", died.id(), died.pid(),
                        died.detail(), pool.live().size());
            } else if (replacements < poolSize && !stopRequested) {
                replacements++;
                String id = pool.start();
                LOG.info("{} replaces the dead {} in the pool ({} of at most {} replacements)", id, died.id(),
                        replacements, poolSize);
            } else {
                LOG.warn("pool worker {} died and is not replaced ({} replacements made): the pool has {} workers",
                        died.id(), replacements, pool.live().size());
            }
        }
    }

    private void onExit(String id) throws IOException {
        Running r = running.remove(id);
        if (r == null) {
            return; // killed by a stop, already accounted for
        }
        int code = r.process.exitValue();
        long now = System.nanoTime();
        double seconds = (now - r.startNanos) / 1e9;
        TrialRecord t = state.trial(id).plusWorkerSeconds(r.held.seconds(now));
        long target = r.segment.stopAt();
        if (code != 0) {
            onFailure(t, r, code, seconds);
            return;
        }
        JsonNode report = readReport(r.segment);
        double metric = metric(report, id, target, r.segment.report());
        t = t.withResult(target, metric, rungs.rungAt(target)).withCheckpoint(checkpointDir(id).toString(), target);
        boolean stop;
        String detail;
        if (scheduler.isPresent()) {
            Long rung = rungs.rungAt(target);
            OptionalDouble cutoff = rung == null ? OptionalDouble.empty() : scheduler.get().cutoff(rung);
            stop = scheduler.get().onResult(id, target, metric) == AshaScheduler.Decision.STOP;
            detail = rung == null ? null : cutoff.isPresent()
                    ? String.format(Locale.ROOT, "cutoff %.6g at rung %d", cutoff.getAsDouble(), rung)
                    : "first result at rung " + rung;
        } else {
            stop = true;
            detail = null;
        }
        detail = join(detail, String.format(Locale.ROOT, "%.1f s", seconds));
        detail = join(detail, workerDeaths(report, onPool() ? report.path("worker_process_ids").size() : 1));
        if (!stop) {
            state = state.with(t);
            store.save(state);
            event(new TrialEvent(id, TrialEvent.Kind.PROMOTED, target, target, metric, 0, null, detail));
            launch(id, 0, null);
            return;
        }
        boolean completed = rungs.isLast(target);
        state = state.with(t.withStatus(completed ? TrialStatus.COMPLETED : TrialStatus.STOPPED));
        store.save(state);
        event(new TrialEvent(id, completed ? TrialEvent.Kind.COMPLETED : TrialEvent.Kind.STOPPED, target, target,
                metric, 0, null, detail));
    }

    private void onFailure(TrialRecord t, Running r, int code, double seconds) throws IOException {
        String id = t.id();
        boolean hopeless = code == ExitCodes.USAGE_ERROR || code == ExitCodes.CONFIG_ERROR
                || code == ExitCodes.DATA_ERROR;
        if (hopeless || r.restart >= options.maxRestarts()) {
            String reason = "trial process exited " + code + " training to step " + r.segment.stopAt()
                    + (hopeless ? " (" + ExitCodes.label(code) + ", a restart would not help)"
                            : " after " + r.restart + " restarts") + "; log " + r.segment.log();
            state = state.with(t.failed(reason));
            store.save(state);
            event(new TrialEvent(id, TrialEvent.Kind.FAILED, t.steps(), t.steps(), null, r.process.pid(), code,
                    reason));
            return;
        }
        state = state.with(t);
        store.save(state);
        event(new TrialEvent(id, TrialEvent.Kind.DIED, r.fromStep, r.segment.stopAt(), null, r.process.pid(),
                code, String.format(Locale.ROOT, "after %.1f s; log %s", seconds, r.segment.log())));
        launch(id, r.restart + 1, null);
    }

    /** The trial's checkpoint root: {@code train --out} of the trial puts them there. */
    private Path checkpointDir(String id) {
        return trialDir(id).resolve("checkpoints");
    }

    private static JsonNode readReport(TrialLauncher.Segment segment) throws IOException {
        if (!Files.isRegularFile(segment.report())) {
            throw CommandFailure.dataError("the trial process exited 0 but wrote no report " + segment.report()
                    + "; log " + segment.log(), null);
        }
        return JSON.readTree(segment.report().toFile());
    }

    /**
     * The worker JVMs of a trial's cluster that died during a segment and that the cluster trained on
     * without ({@code membership_events} of kind {@code DIED} in its report), as text for the trial's
     * event, e.g. {@code "worker-2 died at step 3, went on with 1 of 2 workers"}; null when none died
     * (always for a single-process segment, whose report has no membership events).
     */
    static String workerDeaths(JsonNode report, int workers) {
        List<String> deaths = new ArrayList<>();
        for (JsonNode e : report.path("membership_events")) {
            if ("DIED".equals(e.path("kind").asText())) {
                deaths.add(e.path("worker").asText("?") + " died at step " + e.path("step").asLong());
            }
        }
        if (deaths.isEmpty()) {
            return null;
        }
        return String.join(", ", deaths) + ", went on with " + Math.max(0, workers - deaths.size()) + " of " + workers
                + " workers";
    }

    /**
     * Why the saved state does not match when it is the state of this very sweep file from before
     * {@code objective.metric} defaulted to {@code val_loss} (the file names no metric, and the
     * state's fingerprint is the one it had with the former default {@code loss}); else empty.
     */
    private Optional<String> formerDefaultObjective() throws IOException {
        String former = sweep.formerDefaultFingerprint();
        Optional<SweepState> saved = store.load();
        if (former == null || saved.isEmpty() || !saved.get().fingerprint().equals(former)) {
            return Optional.empty();
        }
        return Optional.of("sweep state " + store.file() + " was written when objective.metric defaulted to '"
                + SweepConfig.Objective.FORMER_DEFAULT_METRIC + "' (the training loss); " + sweep.source()
                + " names no objective.metric, which now defaults to '" + SweepConfig.Objective.DEFAULT_METRIC
                + "' (the held-out validation loss), so it is another sweep. To continue that sweep add"
                + " 'objective: {metric: " + SweepConfig.Objective.FORMER_DEFAULT_METRIC + ", mode: "
                + sweep.config().objective().mode() + "}' to the sweep file; to run it with "
                + SweepConfig.Objective.DEFAULT_METRIC + " use a new --out directory");
    }

    /**
     * The objective in a segment's report: the metric of its evaluation ({@code results[0].metrics}),
     * or for {@code loss} when the evaluation has none, the segment's final training loss.
     *
     * @throws CommandFailure a config error when the evaluation has no such metric
     */
    double metric(JsonNode report, String id, long step, Path file) {
        String name = sweep.objective().metric();
        JsonNode row = report.path("results").path(0);
        JsonNode value = row.path("metrics").get(name);
        if (value == null && name.equals("loss")) {
            value = row.get("final_loss");
        }
        if (value == null || value.isNull()) {
            List<String> names = new ArrayList<>();
            row.path("metrics").fieldNames().forEachRemaining(names::add);
            throw new CommandFailure(ExitCodes.CONFIG_ERROR, "objective.metric '" + name + "' is not among the metrics "
                    + id + " reported at step " + step + " (" + file + "): " + names
                    + (names.isEmpty() ? "" : " (and loss)")
                    + (name.equals(ValidationLoss.METRIC) ? "; " + ValidationLoss.METRIC + " is reported only for a"
                    + " task with a validation split: choose one of the metrics above" : ""), null);
        }
        return value.isTextual() ? Double.parseDouble(value.asText()) : value.doubleValue();
    }

    private void event(TrialEvent e) throws IOException {
        lease.check();
        journal.append(e);
        LOG.info(e.line(sweep.objective().metric()));
        listener.onEvent(e);
    }

    /** Kills the trial processes still running; they stay RUNNING in the state and resume next time. */
    private void killAll() throws InterruptedException {
        for (Iterator<Map.Entry<String, Running>> it = running.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Running> e = it.next();
            Process p = e.getValue().process;
            if (p.isAlive()) {
                LOG.info("{}: stopping its process {}; it resumes from its latest checkpoint when the sweep runs again",
                        e.getKey(), p.pid());
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            double seconds = e.getValue().held.seconds(System.nanoTime());
            if (lease.lost() != null || fenced != null) {
                it.remove();
                continue; // the state belongs to the process that took the sweep over
            }
            try {
                state = state.with(state.trial(e.getKey()).plusWorkerSeconds(seconds));
                store.save(state);
            } catch (StaleTermException ex) {
                fenced = ex;
                LOG.warn("not saving the worker-seconds of {}'s stopped process: {}", e.getKey(), ex.getMessage());
            } catch (IOException ex) {
                LOG.warn("could not save the worker-seconds of {}'s stopped process: {}", e.getKey(), ex.toString());
            }
            it.remove();
        }
    }

    private static String join(String a, String b) {
        return a == null ? b : b == null ? a : a + ", " + b;
    }
}
