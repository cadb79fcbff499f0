package dev.mmict.ops.sweep;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.cluster.ClusterJob;
import dev.mmict.ops.cluster.WorkerProcess;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.MetricsConfig;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.protocol.v1.JoinTrial;
import dev.mmict.protocol.v1.PoolCommand;
import dev.mmict.protocol.v1.PoolEvent;
import dev.mmict.protocol.v1.PoolWorkerReady;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.TrialLeft;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of {@code mmict worker --pool}: a worker JVM of a sweep's pool that outlives trials.
 * It announces itself, then takes commands from the sweep one at a time ({@link PoolWire} lines on
 * standard input): for a {@code JoinTrial} it runs one ordinary cluster worker ({@link
 * WorkerProcess}: load the replica, join the trial coordinator's cluster, train until that run
 * ends, leave and stop its actor system and replica) and answers {@code TrialLeft}; it stops on
 * {@code Shutdown} or when its standard input ends (the sweep is gone). Only one trial at a time:
 * DJL allows one gradient collector per JVM.
 */
public final class PoolWorkerAgent {

    private static final Logger LOG = LoggerFactory.getLogger(PoolWorkerAgent.class);

    /**
     * Who this pool worker is.
     *
     * @param workerId its id in the pool and in every trial cluster it joins
     * @param host the host its cluster node and data plane listen on
     * @param protocolVersion the protocol version number it announces (this build's, except in tests)
     */
    public record Options(String workerId, String host, int protocolVersion) { }

    private PoolWorkerAgent() {
    }

    /**
     * Serves commands from {@code in} until a shutdown or the end of input; events go to
     * {@code events}, the worker's human-readable lines (http endpoints) to {@code log}.
     *
     * @return the exit code (0)
     */
    public static int run(Options options, BufferedReader in, PrintStream events, PrintWriter log)
            throws IOException, InterruptedException {
        send(events, PoolEvent.newBuilder().setReady(PoolWorkerReady.newBuilder()
                .setWorkerId(options.workerId())
                .setPid(ProcessHandle.current().pid())
                .setProtocolVersion(ProtocolVersion.forNumber(options.protocolVersion()) != null
                        ? ProtocolVersion.forNumber(options.protocolVersion())
                        : ProtocolVersion.PROTOCOL_VERSION_UNSPECIFIED))
                .build());
        LOG.info("pool worker {} (process {}) waits for trials", options.workerId(), ProcessHandle.current().pid());
        String line;
        while ((line = in.readLine()) != null) {
            Optional<PoolCommand> command = PoolWire.command(line);
            if (command.isEmpty()) {
                LOG.warn("pool worker {}: ignoring a line that is no pool command: {}", options.workerId(), line);
                continue;
            }
            switch (command.get().getCommandCase()) {
                case JOIN_TRIAL -> send(events, PoolEvent.newBuilder()
                        .setLeft(serve(options, command.get().getJoinTrial(), log)).build());
                case SHUTDOWN -> {
                    LOG.info("pool worker {}: shutting down ({})", options.workerId(),
                            command.get().getShutdown().getReason());
                    return ExitCodes.OK;
                }
                default -> throw new IllegalArgumentException("pool worker " + options.workerId()
                        + ": a pool command without a command: " + line);
            }
        }
        LOG.info("pool worker {}: the sweep closed its commands; exiting", options.workerId());
        return ExitCodes.OK;
    }

    /** Trains for one trial stretch as a worker of its cluster; says how that ended. */
    static TrialLeft serve(Options options, JoinTrial join, PrintWriter log) throws InterruptedException {
        String stretch = join.getTrialId() + " to step " + join.getStopAt();
        TrialLeft.Builder left = TrialLeft.newBuilder().setTrialId(join.getTrialId()).setStopAt(join.getStopAt());
        Path finalState = Path.of(join.getFinalState());
        Path partial = finalState.resolveSibling(finalState.getFileName() + ".partial");
        try {
            RunConfig config = new ConfigLoader().load(RunConfig.class, Path.of(join.getConfigPath()), List.of());
            ClusterJob job = ClusterJob.of(config, null, null);
            LOG.info("pool worker {} joins {} at {}{}", options.workerId(), stretch, join.getSeed(),
                    join.getResumeFrom().isEmpty() ? "" : ", resuming from " + join.getResumeFrom());
            WorkerProcess.run(job, new WorkerProcess.Options(options.workerId(), options.host(), 0, 0,
                    List.of(join.getSeed()), join.getDeterministic(), Duration.ofSeconds(120),
                    join.getCoordinatorPid(), null, options.protocolVersion(), null,
                    new MetricsConfig(config.metrics().enabled(), options.host(), 0), null, partial,
                    join.getResumeFrom().isEmpty() ? null : Path.of(join.getResumeFrom())), log);
            if (Files.exists(partial)) {
                // Renamed only once complete: the trial's coordinator reads the file as soon as it appears.
                Files.move(partial, finalState, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            LOG.info("pool worker {} left {}: the run completed", options.workerId(), stretch);
            return left.setCompleted(true).build();
        } catch (CommandFailure e) {
            LOG.warn("pool worker {} left {}: {}", options.workerId(), stretch, e.getMessage());
            return left.setCompleted(false).setDetail(e.getMessage()).build();
        } catch (IOException | RuntimeException e) {
            // Reported to the sweep, which logs it; the next trial gets a fresh replica and actor system.
            LOG.error("pool worker {} failed in {}", options.workerId(), stretch, e);
            return left.setCompleted(false).setDetail(e.toString()).build();
        }
    }

    private static void send(PrintStream events, PoolEvent event) {
        synchronized (events) {
            events.println(PoolWire.line(event));
            events.flush();
        }
    }
}
