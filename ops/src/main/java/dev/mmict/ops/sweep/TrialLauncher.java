package dev.mmict.ops.sweep;

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
 * {@code --parent-pid} so that it never outlives the sweep. With one worker per trial the trial
 * JVM trains in its own process ({@code --workers 0}); with K >= 2 it is the coordinator of its
 * own local cluster of K worker JVMs ({@code --workers K}), which die with it.
 */
public final class TrialLauncher {

    private final int heapMiB;
    private final int workers;

    /**
     * @param heapMiB -Xmx of each trial JVM
     * @param workersPerTrial worker JVMs each trial trains on (1: the trial JVM itself)
     */
    public TrialLauncher(int heapMiB, int workersPerTrial) {
        if (heapMiB < 64) {
            throw new IllegalArgumentException("trial heap must be >= 64 MiB, got " + heapMiB);
        }
        if (workersPerTrial < 1) {
            throw new IllegalArgumentException("workers per trial must be >= 1, got " + workersPerTrial);
        }
        this.heapMiB = heapMiB;
        this.workers = workersPerTrial;
    }

    /** Worker JVMs of one trial: 1 is the trial JVM itself, K >= 2 are K worker JVMs beside it. */
    public int workersPerTrial() {
        return workers;
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

    /** The child command line for {@code segment}. */
    public List<String> command(Segment segment) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Xmx" + heapMiB + "m",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"),
                "dev.mmict.ops.Main", "train",
                "--config", segment.config().toAbsolutePath().toString(),
                "--out", segment.trialDir().toAbsolutePath().toString(),
                "--report", segment.report().toAbsolutePath().toString(),
                "--resume",
                "--stop-at", Long.toString(segment.stopAt()),
                // one worker: in the trial JVM; K: its own cluster (a pool shared by trials is future work)
                "--workers", Integer.toString(workers == 1 ? 0 : workers),
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        return cmd;
    }

    /** Starts {@code segment}'s process, its output going to {@code segment.log()} (appended). */
    public Process start(Segment segment) throws IOException {
        Files.createDirectories(segment.log().toAbsolutePath().getParent());
        Files.deleteIfExists(segment.report());
        return new ProcessBuilder(command(segment))
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(segment.log().toFile()))
                .start();
    }
}
