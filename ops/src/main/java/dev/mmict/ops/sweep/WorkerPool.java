package dev.mmict.ops.sweep;

import dev.mmict.protocol.v1.JoinTrial;
import dev.mmict.protocol.v1.PoolCommand;
import dev.mmict.protocol.v1.PoolEvent;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.Shutdown;
import dev.mmict.protocol.v1.TrialLeft;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker JVMs a sweep shares between its trials ({@code mmict worker --pool}, ids {@code
 * pool-1}, {@code pool-2}, ...), on this machine: each is started once with this JVM's java and
 * class path and {@code --parent-pid} (it dies with the sweep), logs to {@code <dir>/<id>.log},
 * takes commands on its standard input and reports on its standard output ({@link PoolWire}). A
 * reader thread per worker turns its reports, and its death, into {@link Signal}s for the sweep's
 * thread. Methods other than the signal callback are called from the sweep's thread.
 */
final class WorkerPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    /** What the pool tells the sweep, from its reader threads. */
    sealed interface Signal permits Ready, Left, Died { }

    /** Worker {@code id} is up and takes commands. */
    record Ready(String id, long pid) implements Signal { }

    /** Worker {@code id} left a trial stretch's cluster and is free. */
    record Left(String id, TrialLeft left) implements Signal { }

    /** Worker {@code id}'s JVM ended (killed, crashed, or refused for its protocol version). */
    record Died(String id, long pid, Integer exitCode, String detail) implements Signal { }

    /** A worker JVM of the pool. */
    private static final class Member {
        final String id;
        final Process process;
        final Path log;
        final BufferedWriter commands;
        volatile boolean ready;
        volatile boolean dead;

        Member(String id, Process process, Path log) {
            this.id = id;
            this.process = process;
            this.log = log;
            this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(),
                    StandardCharsets.UTF_8));
        }
    }

    private final Path dir;
    private final int heapMiB;
    private final Consumer<Signal> signals;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private volatile boolean closing;
    private int started;

    /**
     * @param dir where the workers' logs go
     * @param heapMiB -Xmx of each worker JVM
     * @param signals told of every worker's readiness, every stretch it left, and its death
     */
    WorkerPool(Path dir, int heapMiB, Consumer<Signal> signals) {
        this.dir = dir;
        this.heapMiB = heapMiB;
        this.signals = signals;
    }

    /** The command line of pool worker {@code id}. */
    List<String> command(String id) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java,
                "-Xmx" + heapMiB + "m",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"),
                "dev.mmict.ops.Main", "worker", "--pool",
                "--id", id,
                "--host", "127.0.0.1",
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
    }

    /** Starts the next worker JVM ({@code pool-N}) and returns its id; it signals {@link Ready} once up. */
    String start() throws IOException {
        String id = "pool-" + (++started);
        Files.createDirectories(dir);
        Path log = dir.resolve(id + ".log");
        Process p = new ProcessBuilder(command(id))
                .directory(new File(System.getProperty("user.dir")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Member m = new Member(id, p, log);
        members.put(id, m);
        Thread reader = new Thread(() -> read(m), "pool-reader-" + id);
        reader.setDaemon(true);
        reader.start();
        LOG.info("pool worker {} started as process {} (log {})", id, p.pid(), log);
        return id;
    }

    /** Reads worker {@code m}'s reports until its output ends, then signals its death (unless the pool closes). */
    private void read(Member m) {
        String detail = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(m.process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Optional<PoolEvent> event = PoolWire.event(line);
                if (event.isEmpty()) {
                    LOG.info("{} printed: {}", m.id, line);
                    continue;
                }
                PoolEvent e = event.get();
                switch (e.getEventCase()) {
                    case READY -> {
                        if (e.getReady().getProtocolVersion() != ProtocolVersion.PROTOCOL_VERSION_1) {
                            detail = "it speaks protocol version " + e.getReady().getProtocolVersionValue()
                                    + ", this sweep " + ProtocolVersion.PROTOCOL_VERSION_1.getNumber();
                            LOG.error("pool worker {} refused: {}", m.id, detail);
                            m.process.destroyForcibly();
                            break;
                        }
                        m.ready = true;
                        signals.accept(new Ready(m.id, m.process.pid()));
                    }
                    case LEFT -> signals.accept(new Left(m.id, e.getLeft()));
                    default -> LOG.warn("pool worker {} sent an event without content: {}", m.id, line);
                }
            }
        } catch (IOException | RuntimeException e) {
            detail = "its reports could not be read: " + e;
            LOG.error("pool worker {}: {}", m.id, detail);
            m.process.destroyForcibly();
        }
        Integer code = null;
        try {
            if (m.process.waitFor(30, TimeUnit.SECONDS)) {
                code = m.process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        m.dead = true;
        m.ready = false;
        if (!closing) {
            signals.accept(new Died(m.id, m.process.pid(), code, detail));
        }
    }

    /** Workers that are up and alive, sorted by id. */
    List<String> live() {
        TreeSet<String> ids = new TreeSet<>();
        members.values().stream().filter(m -> m.ready && !m.dead).forEach(m -> ids.add(m.id));
        return List.copyOf(ids);
    }

    /** Workers started but not yet up (and not dead). */
    int starting() {
        return (int) members.values().stream().filter(m -> !m.ready && !m.dead).count();
    }

    /** Process id of worker {@code id}. */
    long pid(String id) {
        return member(id).process.pid();
    }

    /** Log file of worker {@code id}. */
    Path log(String id) {
        return member(id).log;
    }

    /**
     * Tells worker {@code id} to join a trial stretch; it does so once it has left the stretch it
     * may still be in. A worker that died meanwhile is logged and skipped (its death is signalled).
     */
    void join(String id, JoinTrial join) {
        send(member(id), PoolCommand.newBuilder().setJoinTrial(join).build());
    }

    private void send(Member m, PoolCommand command) {
        try {
            synchronized (m.commands) {
                m.commands.write(PoolWire.line(command));
                m.commands.newLine();
                m.commands.flush();
            }
        } catch (IOException e) {
            LOG.warn("pool worker {} (process {}) did not take a command ({}): it is gone", m.id, m.process.pid(),
                    e.toString());
        }
    }

    private Member member(String id) {
        Member m = members.get(id);
        if (m == null) {
            throw new IllegalArgumentException("no pool worker " + id + " (pool: " + members.keySet() + ")");
        }
        return m;
    }

    /** Asks every worker to shut down, waits up to 30 s in all, then kills those still running. */
    @Override
    public void close() {
        closing = true;
        for (Member m : members.values()) {
            if (m.process.isAlive()) {
                send(m, PoolCommand.newBuilder().setShutdown(Shutdown.newBuilder().setReason("the sweep ends")).build());
                try {
                    m.commands.close();
                } catch (IOException e) {
                    LOG.debug("closing {}'s commands: {}", m.id, e.toString());
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Member m : members.values()) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!m.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("pool worker {} (process {}) did not exit within 30 s of the sweep's end: killing it",
                            m.id, m.process.pid());
                    m.process.destroyForcibly();
                    m.process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                m.process.destroyForcibly();
            }
        }
    }
}
