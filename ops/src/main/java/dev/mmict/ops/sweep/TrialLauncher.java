package dev.mmict.ops.sweep;

import dev.mmict.ops.cluster.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one stretch of a trial ("segment") as its own JVM: {@code mmict train} on the trial's
 * resolved config with {@code --stop-at} the next rung and {@code --resume}, run with this JVM's
 * java and class path (as {@code EmbeddedCluster} starts workers), one PyTorch thread, and
 * {@code --parent-pid} so that it never outlives the sweep. Either the trial JVM trains in its own
 * process ({@code --workers 0}, one worker per trial), or it is the coordinator of a cluster whose
 * G workers come from the sweep's pool ({@code --workers G --pool-announce FILE --pool-host HOST}:
 * it starts none, binds its cluster node to HOST, the pool's listen address, and writes where to
 * join to FILE).
 */
public final class TrialLauncher {

    private final int heapMiB;
    private final String poolHost;

    /** @param heapMiB -Xmx of each trial JVM; trials on the pool bind to loopback */
    public TrialLauncher(int heapMiB) {
        this(heapMiB, "127.0.0.1");
    }

    /**
     * @param heapMiB -Xmx of each trial JVM
     * @param poolHost the address a trial JVM on the pool binds its cluster node to (the pool
     *     workers, on whatever machine, reach it there)
     */
    public TrialLauncher(int heapMiB, String poolHost) {
        if (heapMiB < 64) {
            throw new IllegalArgumentException("trial heap must be >= 64 MiB, got " + heapMiB);
        }
        this.heapMiB = heapMiB;
        this.poolHost = poolHost;
    }

    /**
     * Where one segment reads and writes.
     *
     * @param config the trial's resolved run config
     * @param trialDir the trial's {@code --out} (checkpoints under {@code checkpoints/}, the logs of its
     *     worker JVMs, if any, under {@code workers/})
     * @param stopAt the step to train to
     * @param report the segment's JSON report
     * @param log the file the process's stdout and stderr go to
     */
    public record Segment(Path config, Path trialDir, long stopAt, Path report, Path log) { }

    /**
     * The child command line for {@code segment}: in the trial JVM when {@code poolAnnounce} is null,
     * else on {@code poolWorkers} (>= 1) pool workers, announced in {@code poolAnnounce}.
     */
    public List<String> command(Segment segment, int poolWorkers, Path poolAnnounce) {
        if (poolAnnounce != null && poolWorkers < 1) {
            throw new IllegalArgumentException("a stretch on the pool needs >= 1 worker, got " + poolWorkers);
        }
        List<String> cmd = ChildJvm.command(heapMiB);
        cmd.addAll(List.of("dev.mmict.ops.Main", "train",
                "--config", segment.config().toAbsolutePath().toString(),
                "--out", segment.trialDir().toAbsolutePath().toString(),
                "--report", segment.report().toAbsolutePath().toString(),
                "--resume",
                "--stop-at", Long.toString(segment.stopAt()),
                "--workers", Integer.toString(poolAnnounce == null ? 0 : poolWorkers),
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        if (poolAnnounce != null) {
            cmd.addAll(List.of("--pool-announce", poolAnnounce.toAbsolutePath().toString(), "--pool-host", poolHost));
        }
        return cmd;
    }

    /**
     * Starts {@code segment}'s process as {@link #command} says, its output going to {@code
     * segment.log()} (appended).
     */
    public Process start(Segment segment, int poolWorkers, Path poolAnnounce) throws IOException {
        Files.createDirectories(segment.log().toAbsolutePath().getParent());
        Files.deleteIfExists(segment.report());
        if (poolAnnounce != null) {
            Files.deleteIfExists(poolAnnounce);
        }
        return new ProcessBuilder(command(segment, poolWorkers, poolAnnounce))
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(segment.log().toFile()))
                .start();
    }
}
