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
import dev.mmict.protocol.v1.PoolHeartbeat;
import dev.mmict.protocol.v1.PoolWorkerReady;
import dev.mmict.protocol.v1.TrialLeft;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of {@code mmict worker --pool-join HOST:PORT}: a worker JVM of a sweep's pool that
 * outlives trials, on the sweep's machine (started by the sweep) or on any other (started by an
 * operator). It connects to the sweep's pool ({@link PoolLink}), says hello and waits to be welcomed
 * (or refused: then it exits with a cluster error); then it takes commands from the sweep one at a
 * time: for a {@code JoinTrial} it runs one ordinary cluster worker ({@link WorkerProcess}: load the
 * replica, join the trial coordinator's cluster, train until that run ends, leave and stop its actor
 * system and replica) and answers {@code TrialLeft}; it stops on {@code Shutdown}, when the sweep
 * closes the connection, or when the sweep has been silent for {@link PoolLink#SILENCE}. Only one
 * trial at a time: DJL allows one gradient collector per JVM.
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
     * Connects to the sweep's pool at {@code endpoint} (trying for up to {@code patience}) and
     * serves it until it says to stop or goes away.
     *
     * @param log the worker's human-readable lines (http endpoints)
     * @return the exit code: 0 after a shutdown or the end of the connection, 5 (cluster error) when
     *     refused, unreachable or when the sweep fell silent
     */
    public static int join(Options options, InetSocketAddress endpoint, Duration patience, PrintWriter log)
            throws InterruptedException {
        String sweep = endpoint.getHostString() + ":" + endpoint.getPort();
        try (PoolLink link = PoolLink.connect(endpoint, patience)) {
            return run(options, link, sweep, log);
        } catch (SocketTimeoutException e) {
            LOG.error("pool worker {}: the sweep at {} sent nothing for {} s: it is gone; exiting", options.workerId(),
                    sweep, PoolLink.SILENCE.toSeconds());
            return ExitCodes.CLUSTER_ERROR;
        } catch (IOException e) {
            LOG.error("pool worker {}: {}", options.workerId(), e.getMessage());
            return ExitCodes.CLUSTER_ERROR;
        }
    }

    /** Says hello on {@code link}, then serves the sweep's commands. */
    static int run(Options options, PoolLink link, String sweep, PrintWriter log)
            throws IOException, InterruptedException {
        PoolWorkerReady.Builder hello = PoolWorkerReady.newBuilder()
                .setWorkerId(options.workerId())
                .setPid(ProcessHandle.current().pid())
                .setProtocolVersionValue(options.protocolVersion())
                .setHost(options.host())
                .setMachine(machineName());
        link.send(PoolEvent.newBuilder().setReady(hello).build());
        Optional<PoolCommand> answer = next(link, options);
        if (answer.isEmpty()) {
            LOG.error("pool worker {}: the sweep at {} closed the connection without answering its hello",
                    options.workerId(), sweep);
            return ExitCodes.CLUSTER_ERROR;
        }
        switch (answer.get().getCommandCase()) {
            case REFUSED -> {
                LOG.error("pool worker {} refused by the sweep at {}: {}", options.workerId(), sweep,
                        answer.get().getRefused().getReason());
                return ExitCodes.CLUSTER_ERROR;
            }
            case WELCOME -> LOG.info("pool worker {} (process {}) joined the pool of sweep {} at {}; waits for trials",
                    options.workerId(), ProcessHandle.current().pid(), answer.get().getWelcome().getSweep(), sweep);
            default -> {
                LOG.error("pool worker {}: the sweep at {} answered its hello with {} instead of a welcome",
                        options.workerId(), sweep, answer.get().getCommandCase());
                return ExitCodes.CLUSTER_ERROR;
            }
        }
        link.beat(PoolEvent.newBuilder().setHeartbeat(PoolHeartbeat.getDefaultInstance()).build());
        Optional<PoolCommand> command;
        while ((command = next(link, options)).isPresent()) {
            switch (command.get().getCommandCase()) {
                case JOIN_TRIAL -> link.send(PoolEvent.newBuilder()
                        .setLeft(serve(options, command.get().getJoinTrial(), log)).build());
                case SHUTDOWN -> {
                    LOG.info("pool worker {}: shutting down ({})", options.workerId(),
                            command.get().getShutdown().getReason());
                    return ExitCodes.OK;
                }
                default -> LOG.warn("pool worker {}: ignoring an unexpected command {}", options.workerId(),
                        command.get().getCommandCase());
            }
        }
        LOG.info("pool worker {}: the sweep closed the connection; exiting", options.workerId());
        return ExitCodes.OK;
    }

    /** The next command other than a heartbeat; empty at the end of the connection. */
    private static Optional<PoolCommand> next(PoolLink link, Options options) throws IOException {
        String line;
        while ((line = link.readLine()) != null) {
            Optional<PoolCommand> command = PoolWire.command(line);
            if (command.isEmpty()) {
                LOG.warn("pool worker {}: ignoring a line that is no pool command: {}", options.workerId(), line);
            } else if (command.get().getCommandCase() == PoolCommand.CommandCase.COMMAND_NOT_SET) {
                throw new IllegalArgumentException("pool worker " + options.workerId()
                        + ": a pool command without a command: " + line);
            } else if (!command.get().hasHeartbeat()) {
                return command;
            }
        }
        return Optional.empty();
    }

    /** This machine's name (for the hello and the sweep's logs); "unknown" when it cannot be told. */
    public static String machineName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "unknown";
        }
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
}
