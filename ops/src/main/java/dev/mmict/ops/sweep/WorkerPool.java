package dev.mmict.ops.sweep;

import dev.mmict.ops.cluster.ChildJvm;
import dev.mmict.protocol.v1.JoinTrial;
import dev.mmict.protocol.v1.PoolCommand;
import dev.mmict.protocol.v1.PoolEvent;
import dev.mmict.protocol.v1.PoolHeartbeat;
import dev.mmict.protocol.v1.PoolRefusal;
import dev.mmict.protocol.v1.PoolWelcome;
import dev.mmict.protocol.v1.PoolWorkerReady;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.Shutdown;
import dev.mmict.protocol.v1.TrialLeft;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker JVMs a sweep shares between its trials. The pool listens on a TCP endpoint ({@code
 * --pool-listen HOST:PORT}; written to {@code <dir>/endpoint}) and every pool worker is a connection
 * to it ({@link PoolLink}): the workers the sweep starts on its machine ({@code mmict worker
 * --pool-join ENDPOINT --id pool-N}, with this JVM's java and class path and {@code --parent-pid},
 * logging to {@code <dir>/<id>.log}) and those an operator starts on any machine with the same
 * command. A worker says hello; {@link PoolMembers} takes it or refuses it (protocol version,
 * duplicate id); a taken worker gets trials until its connection ends. A thread per connection
 * turns its reports, and its end, into {@link Signal}s for the sweep's thread. Methods other than
 * the signal callback are called from the sweep's thread.
 */
final class WorkerPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    /** What the pool tells the sweep, from its connection threads. */
    sealed interface Signal permits Ready, Left, Died { }

    /** Worker {@code id} joined the pool and takes commands. */
    record Ready(String id, long pid, boolean local) implements Signal { }

    /** Worker {@code id} left a trial stretch's cluster and is free. */
    record Left(String id, TrialLeft left) implements Signal { }

    /**
     * Worker {@code id} is gone: its connection ended (killed, crashed, silent, or refused), or a
     * local one exited before it joined; {@code exitCode} is known for local workers only.
     */
    record Died(String id, long pid, Integer exitCode, String detail, boolean local) implements Signal { }

    private final Path dir;
    private final int heapMiB;
    private final String sweepName;
    private final String machine;
    private final Consumer<Signal> signals;
    private final ServerSocket server;
    private final String endpoint;
    private final String localHost;
    private final PoolMembers members = new PoolMembers(ProtocolVersion.PROTOCOL_VERSION_1.getNumber());
    private final Map<String, PoolLink> links = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private volatile boolean closing;

    /**
     * Opens the pool's endpoint and starts accepting workers.
     *
     * @param dir where the local workers' logs and the {@code endpoint} file go
     * @param heapMiB -Xmx of each local worker JVM
     * @param listen {@code HOST:PORT} to listen on (port 0: a free one); HOST is an address of this
     *     machine, which the local workers bind too
     * @param sweepName the sweep, for the workers' logs
     * @param signals told of every worker's joining, every stretch it left, and its end
     * @throws IOException the endpoint cannot be opened (the message names it)
     */
    WorkerPool(Path dir, int heapMiB, String listen, String sweepName, Consumer<Signal> signals) throws IOException {
        this.dir = dir;
        this.heapMiB = heapMiB;
        this.sweepName = sweepName;
        this.signals = signals;
        this.machine = PoolWorkerAgent.machineName();
        InetSocketAddress wanted = PoolLink.endpoint(listen, "the pool's listen address");
        if (wanted.getHostString().equals("0.0.0.0") || wanted.getHostString().equals("::")) {
            throw new IllegalArgumentException("the pool's listen address '" + listen + "' must name an address of"
                    + " this machine that the pool workers reach, not a wildcard: the sweep's own workers bind it too");
        }
        this.server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(wanted.getHostString(), wanted.getPort()));
        } catch (IOException e) {
            server.close();
            throw new IOException("the sweep's pool cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        this.localHost = wanted.getHostString();
        this.endpoint = localHost + ":" + server.getLocalPort();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("endpoint.tmp");
        Files.writeString(tmp, endpoint + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("endpoint"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Thread acceptor = new Thread(this::accept, "pool-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("the sweep's pool listens on {} (pool workers join with 'mmict worker --pool-join {}')", endpoint,
                endpoint);
    }

    /** {@code HOST:PORT} the pool listens on. */
    String endpoint() {
        return endpoint;
    }

    /** The command line of local pool worker {@code id}. */
    List<String> command(String id) {
        List<String> cmd = ChildJvm.command(heapMiB);
        cmd.addAll(List.of("dev.mmict.ops.Main", "worker",
                "--pool-join", endpoint,
                "--id", id,
                "--host", localHost,
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        return cmd;
    }

    /** Starts the next local worker JVM ({@code pool-N}) and returns its id; it signals {@link Ready} once joined. */
    String start() throws IOException {
        Process p;
        String id;
        synchronized (this) {
            id = members.nextLocalId();
            Path log = dir.resolve(id + ".log");
            p = new ProcessBuilder(command(id))
                    .directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            members.started(id, p.pid());
            processes.put(id, p);
            LOG.info("pool worker {} started as process {} (log {})", id, p.pid(), log);
        }
        p.onExit().thenRun(() -> {
            boolean neverJoined;
            synchronized (this) {
                neverJoined = members.endedStarting(id);
            }
            if (neverJoined && !closing) {
                signals.accept(new Died(id, p.pid(), p.exitValue(), "it exited before joining the pool; log "
                        + dir.resolve(id + ".log"), true));
            }
        });
        return id;
    }

    /** Accepts connections until the pool closes; each is served on a thread of its own. */
    private void accept() {
        while (!closing) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "pool-link-" + socket.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                LOG.error("the sweep's pool at {} could not accept a connection: {}", endpoint, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt(); // the accept thread ends; the flag stays for whoever asks
                    return;
                }
            }
        }
    }

    /** One connection: the hello, then the worker's reports until the connection ends. */
    private void serve(Socket socket) {
        PoolLink link;
        try {
            link = new PoolLink(socket);
        } catch (IOException e) {
            LOG.warn("a connection to the pool from {} failed at once: {}", socket.getRemoteSocketAddress(), e.toString());
            closeQuietly(socket);
            return;
        }
        PoolMembers.Member member = null;
        String detail;
        try {
            member = admit(link);
            if (member == null) {
                return;
            }
            String line;
            while ((line = link.readLine()) != null) {
                Optional<PoolEvent> event = PoolWire.event(line);
                if (event.isEmpty()) {
                    LOG.info("{} sent: {}", member.id(), line);
                    continue;
                }
                switch (event.get().getEventCase()) {
                    case LEFT -> signals.accept(new Left(member.id(), event.get().getLeft()));
                    case HEARTBEAT -> { }
                    default -> LOG.warn("pool worker {} sent an unexpected event: {}", member.id(), line);
                }
            }
            detail = "it closed the connection";
        } catch (SocketTimeoutException e) {
            detail = "it sent nothing for " + PoolLink.SILENCE.toSeconds() + " s";
        } catch (IOException | RuntimeException e) {
            detail = "its connection failed: " + e;
        } finally {
            link.close();
        }
        left(member, detail);
    }

    /**
     * Reads the hello on {@code link} and takes the worker into the pool (welcome) or refuses it
     * (refusal sent, connection ended); null when it was not taken.
     */
    private PoolMembers.Member admit(PoolLink link) throws IOException {
        String first = link.readLine();
        Optional<PoolEvent> hello = first == null ? Optional.empty() : PoolWire.event(first);
        if (hello.isEmpty() || !hello.get().hasReady()) {
            LOG.warn("a connection to the pool from {} did not start with a pool worker's hello ({}): closed",
                    link.peer(), first == null ? "it closed" : "it sent '" + abbreviate(first) + "'");
            link.close();
            return null;
        }
        PoolWorkerReady ready = hello.get().getReady();
        PoolMembers.Admission admission;
        synchronized (this) {
            admission = closing ? new PoolMembers.Refused("the sweep ends") : members.admit(ready);
            if (admission instanceof PoolMembers.Admitted a) {
                links.put(a.member().id(), link);
            }
        }
        if (admission instanceof PoolMembers.Refused refused) {
            LOG.error("pool worker '{}' (process {} on {}, from {}) refused: {}", ready.getWorkerId(), ready.getPid(),
                    ready.getMachine(), link.peer(), refused.reason());
            try {
                link.send(PoolCommand.newBuilder().setRefused(PoolRefusal.newBuilder().setReason(refused.reason()))
                        .build());
                link.finishSending();
                while (link.readLine() != null) {
                    // until the worker, told, closes its end (bounded by the link's silence timeout)
                }
            } catch (IOException e) {
                LOG.debug("refusing {}: {}", ready.getWorkerId(), e.toString());
            } finally {
                link.close();
            }
            return null;
        }
        PoolMembers.Member m = ((PoolMembers.Admitted) admission).member();
        link.send(PoolCommand.newBuilder().setWelcome(PoolWelcome.newBuilder().setSweep(sweepName)).build());
        link.beat(PoolCommand.newBuilder().setHeartbeat(PoolHeartbeat.getDefaultInstance()).build());
        LOG.info("pool worker {} joined the pool: process {} on {} (host {}, from {}){}", m.id(), m.pid(), m.machine(),
                m.host(), link.peer(), m.local() ? "" : "; started outside this sweep");
        signals.accept(new Ready(m.id(), m.pid(), m.local()));
        return m;
    }

    /** Member {@code m}'s connection ended because of {@code detail}: it leaves the pool (and dies, if local). */
    private void left(PoolMembers.Member m, String detail) {
        Process process;
        synchronized (this) {
            members.drop(m.id());
            links.remove(m.id());
            process = processes.get(m.id());
        }
        Integer code = null;
        if (m.local() && process != null) {
            try {
                if (!process.waitFor(closing ? 30 : 10, TimeUnit.SECONDS)) {
                    LOG.warn("pool worker {} (process {}) is still running without its connection: killing it", m.id(),
                            process.pid());
                    process.destroyForcibly();
                }
                if (process.waitFor(10, TimeUnit.SECONDS)) {
                    code = process.exitValue();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!closing) {
            signals.accept(new Died(m.id(), m.pid(), code, detail, m.local()));
        } else {
            LOG.info("pool worker {} left the pool ({})", m.id(), detail);
        }
    }

    /** Workers in the pool, sorted by id. */
    synchronized List<String> live() {
        return members.live();
    }

    /** Local workers started but not joined yet (and not dead). */
    synchronized int starting() {
        return members.starting();
    }

    /** Worker {@code id} for logs: "process P on MACHINE", or "gone" when it left the pool. */
    synchronized String describe(String id) {
        return members.member(id).map(m -> "process " + m.pid() + " on " + m.machine()).orElse("gone");
    }

    /** Whether worker {@code id} runs on the sweep's machine (process ids of the sweep's children mean something there). */
    synchronized boolean onThisMachine(String id) {
        return members.member(id).map(m -> m.local() || m.machine().equals(machine)).orElse(false);
    }

    /**
     * Tells worker {@code id} to join a trial stretch; it does so once it has left the stretch it
     * may still be in. A worker gone meanwhile is logged and skipped (its end is signalled).
     */
    void join(String id, JoinTrial join) {
        PoolLink link;
        synchronized (this) {
            link = links.get(id);
        }
        if (link == null) {
            LOG.warn("pool worker {} is gone; it does not join {}", id, join.getTrialId());
            return;
        }
        try {
            link.send(PoolCommand.newBuilder().setJoinTrial(join).build());
        } catch (IOException e) {
            LOG.warn("pool worker {} did not take a command ({}): it is gone", id, e.toString());
        }
    }

    /**
     * Tells every worker to shut down and stops accepting new ones; waits up to 30 s in all for the
     * connections to end and the local JVMs to exit, then kills local ones still running and closes
     * what is left.
     */
    @Override
    public void close() {
        closing = true;
        closeQuietly(server);
        List<PoolLink> open;
        List<Process> local;
        synchronized (this) {
            open = new ArrayList<>(links.values());
            local = new ArrayList<>(processes.values());
        }
        PoolCommand shutdown = PoolCommand.newBuilder().setShutdown(Shutdown.newBuilder().setReason("the sweep ends"))
                .build();
        for (PoolLink link : open) {
            try {
                link.send(shutdown);
            } catch (IOException e) {
                LOG.debug("shutdown to {} not sent: {}", link.peer(), e.toString());
            }
            link.finishSending();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (System.nanoTime() < deadline && hasLinks()) {
                Thread.sleep(100);
            }
            for (Process p : local) {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("pool worker process {} did not exit within 30 s of the sweep's end: killing it", p.pid());
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            local.forEach(Process::destroyForcibly);
        }
        synchronized (this) {
            open = new ArrayList<>(links.values());
        }
        open.forEach(PoolLink::close);
    }

    private synchronized boolean hasLinks() {
        return !links.isEmpty();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing {}: {}", c, e.toString());
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
}
