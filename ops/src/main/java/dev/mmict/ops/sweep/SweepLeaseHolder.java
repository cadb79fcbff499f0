package dev.mmict.ops.sweep;

import dev.mmict.coordinator.sweep.StaleTermException;
import dev.mmict.coordinator.sweep.SweepLease;
import dev.mmict.coordinator.sweep.SweepLeaseKeeper;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this process the one active scheduler of a sweep directory: takes the directory's lease
 * ({@link SweepLeaseKeeper}) at once, or refuses while another process holds it fresh, or (as a
 * standby) waits until that holder stops renewing and takes it over with the next term; then renews
 * it every third of the lease timeout on a daemon thread until {@link #close()} releases it. When a
 * renewal finds that another process took the lease over, or renewals keep failing for a whole
 * timeout (this process cannot show it is alive, so a standby will take over), the lease is
 * <em>lost</em>: the owner is told once ({@code onLost}) and must stop without writing the sweep's
 * state.
 */
public final class SweepLeaseHolder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SweepLeaseHolder.class);
    /** A waiting standby says again that it waits, at most this often. */
    private static final long WAIT_LOG_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * How this process treats the lease.
     *
     * @param timeout how long a holder may go without renewing before its lease is stale
     * @param standby whether to wait for a fresh lease to go stale (and take over) instead of refusing
     * @param standbyTimeout how long a standby waits at most
     */
    public record Settings(Duration timeout, boolean standby, Duration standbyTimeout) {

        /** Checks the durations. */
        public Settings {
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("the lease timeout must be >= 1 s, got " + timeout);
            }
            if (standbyTimeout.isNegative() || standbyTimeout.isZero()) {
                throw new IllegalArgumentException("the standby timeout must be > 0, got " + standbyTimeout);
            }
        }

        /** A 15 s lease, no standby. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), false, Duration.ofHours(1));
        }
    }

    private final SweepLeaseKeeper keeper;
    private final SweepLease taken;
    private final SweepLease previous;
    private final Runnable onLost;
    private final ScheduledExecutorService renewer;
    private volatile String lost;

    private SweepLeaseHolder(SweepLeaseKeeper keeper, SweepLease taken, SweepLease previous, Runnable onLost) {
        this.keeper = keeper;
        this.taken = taken;
        this.previous = previous;
        this.onLost = onLost;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-lease");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, keeper.timeout().toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease of {@code dir} for this process and starts renewing it.
     *
     * @param stopRequested polled while a standby waits; true ends the wait (exit 130)
     * @param onLost called once, on the renewing thread, when the lease is lost
     * @throws CommandFailure a cluster error (exit 5) when another process holds the lease fresh and
     *     this is no standby, or when a standby waited {@code standbyTimeout} in vain
     */
    public static SweepLeaseHolder take(Path dir, Settings settings, BooleanSupplier stopRequested, Runnable onLost)
            throws IOException, InterruptedException {
        SweepLeaseKeeper keeper = new SweepLeaseKeeper(dir, hostName(), ProcessHandle.current().pid(),
                settings.timeout(), SweepLeaseKeeper.Clock.SYSTEM,
                pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        Taken taken = settings.standby() ? standBy(keeper, settings, stopRequested) : takeNow(keeper);
        SweepLease lease = taken.lease();
        LOG.info("this process ({}) runs the sweep in {}: lease term {}, renewed every {} ms, stale after {} s"
                + " without a renewal", keeper.self(), dir, lease.term(),
                Math.max(100, settings.timeout().toMillis() / 3), settings.timeout().toSeconds());
        return new SweepLeaseHolder(keeper, lease, taken.from(), onLost);
    }

    /** The lease taken, and the one it replaced (null when there was none). */
    private record Taken(SweepLease lease, SweepLease from) { }

    /** A process that is not a standby: takes a free or stale lease, refuses a fresh one. */
    private static Taken takeNow(SweepLeaseKeeper keeper) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            SweepLeaseKeeper.Verdict verdict = keeper.judgeAtStart();
            if (verdict.kind() == SweepLeaseKeeper.Kind.FRESH) {
                throw CommandFailure.clusterError("another sweep process runs this sweep directory: its lease "
                        + keeper.file() + " is " + verdict.reason() + ". One process runs a sweep directory at a"
                        + " time: wait for it to end, stop it, or start this one with --standby to take over when"
                        + " it stops", null);
            }
            if (verdict.kind() == SweepLeaseKeeper.Kind.STALE) {
                LOG.warn("taking the sweep over from a stale lease: {}", verdict.reason());
            }
            Optional<SweepLease> lease = acquire(keeper, verdict);
            if (lease.isPresent()) {
                return new Taken(lease.get(), verdict.lease());
            }
        }
        throw CommandFailure.clusterError("the sweep lease " + keeper.file() + " kept changing while this process"
                + " tried to take it: another sweep process is starting on this directory", null);
    }

    /** A standby: waits while the lease is fresh, takes it once it is free or stale. */
    private static Taken standBy(SweepLeaseKeeper keeper, Settings settings, BooleanSupplier stopRequested)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + settings.standbyTimeout().toNanos();
        long poll = Math.max(50, Math.min(1000, settings.timeout().toMillis() / 5));
        long lastLog = Long.MIN_VALUE;
        String lastHolder = null;
        while (true) {
            SweepLeaseKeeper.Verdict verdict = keeper.watch();
            if (verdict.kind() != SweepLeaseKeeper.Kind.FRESH) {
                LOG.info("standby {}: the lease {} is {}: taking the sweep over", keeper.self(), keeper.file(),
                        verdict.kind() == SweepLeaseKeeper.Kind.FREE ? "free (" + verdict.reason() + ")"
                                : "stale, " + verdict.reason());
                Optional<SweepLease> lease = acquire(keeper, verdict);
                if (lease.isPresent()) {
                    return new Taken(lease.get(), verdict.lease());
                }
                continue;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw CommandFailure.clusterError(String.format(Locale.ROOT, "standby %s gave up after %.0f s"
                        + " (--standby-timeout): the sweep is still %s", keeper.self(), (now - start) / 1e9,
                        verdict.reason()), null);
            }
            if (stopRequested.getAsBoolean()) {
                throw new CommandFailure(ExitCodes.INTERRUPTED, "stopped while standing by for " + keeper.file(),
                        null);
            }
            String holder = verdict.lease().holder() + " term " + verdict.lease().term();
            if (!holder.equals(lastHolder) || now - lastLog >= WAIT_LOG_NANOS) {
                LOG.info("standby {}: waiting while the sweep is {}; taking over when it stops renewing for {} s"
                        + " (giving up in {} s)", keeper.self(), verdict.reason(), settings.timeout().toSeconds(),
                        Math.round((deadline - now) / 1e9));
                lastLog = now;
                lastHolder = holder;
            }
            Thread.sleep(poll);
        }
    }

    private static Optional<SweepLease> acquire(SweepLeaseKeeper keeper, SweepLeaseKeeper.Verdict verdict)
            throws IOException {
        try {
            return keeper.acquire(verdict);
        } catch (StaleTermException e) {
            throw CommandFailure.clusterError(e.getMessage(), e);
        }
    }

    /** The lease as taken (its term fences the state this process writes). */
    public SweepLease lease() {
        return taken;
    }

    /**
     * The process this one took the sweep over from: the lease of the previous term when it was not
     * released (its holder died or stopped renewing); empty after a clean end or for a new sweep.
     */
    public Optional<SweepLease> takenOverFrom() {
        return Optional.ofNullable(previous).filter(p -> !p.released());
    }

    /** Why the lease was lost, or null while this process holds it. */
    public String lost() {
        return lost;
    }

    /** Throws when the lease was lost, so that nothing more is written. */
    public void check() {
        String why = lost;
        if (why != null) {
            throw new StaleTermException(why);
        }
    }

    private void renew() {
        if (lost != null) {
            return;
        }
        try {
            keeper.renew();
        } catch (StaleTermException e) {
            lose(e.getMessage());
        } catch (IOException | RuntimeException e) {
            double since = keeper.held().isPresent() ? keeper.secondsSinceRenewal() : Double.POSITIVE_INFINITY;
            if (since >= keeper.timeout().toMillis() / 1000.0) {
                lose(String.format(Locale.ROOT, "could not renew the sweep lease %s for %.1f s (last error: %s):"
                        + " a standby may have taken the sweep over, so this process stops", keeper.file(), since, e));
            } else {
                LOG.warn("could not renew the sweep lease {} ({}); trying again, the lease is stale after {} s",
                        keeper.file(), e.toString(), keeper.timeout().toSeconds());
            }
        }
    }

    private void lose(String why) {
        lost = why;
        LOG.error("{}", why);
        renewer.shutdown();
        onLost.run();
    }

    /** Stops renewing and releases the lease, unless it was lost (then the new holder owns it). */
    @Override
    public void close() throws IOException, InterruptedException {
        renewer.shutdown();
        if (!renewer.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("the sweep lease's renewing thread did not end within 10 s");
        }
        if (lost == null && keeper.release()) {
            LOG.info("released the sweep lease {} (term {})", keeper.file(), taken.term());
        }
    }

    /** This machine's host name as leases name it: the local host's name, else $HOSTNAME, else "localhost". */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            LOG.debug("no local host name ({}); using {}", e.toString(), env != null ? env : "localhost");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }
}
