package dev.mmict.ops.cluster;

import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the cluster benchmarks share: a run's resolved configuration written where worker JVMs
 * read it, an {@link EmbeddedCluster} run on a thread of its own (so the bench can watch and
 * disturb it), and finding a worker's process among this JVM's children.
 */
final class BenchClusters {

  private BenchClusters() { }

  /** Writes {@code config} as {@code dir/config.yaml} (what every worker JVM reads); returns the file. */
  static Path writeConfig(RunConfig config, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("config.yaml");
    new ConfigLoader().write(config, file);
    return file;
  }

  /** Runs the cluster on a new thread; the future completes with its result or its failure. */
  static CompletableFuture<EmbeddedCluster.Result> start(ClusterJob job, Path configFile, Path outDir,
      EmbeddedCluster.Options options) {
    CompletableFuture<EmbeddedCluster.Result> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(EmbeddedCluster.run(job, configFile, outDir, options));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "mmict-bench-cluster");
    t.setDaemon(true);
    t.start();
    return result;
  }

  /**
   * The worker JVM with {@code --id workerId} among this JVM's children. Reads
   * {@code /proc/PID/cmdline} (Linux): ProcessHandle.Info drops long command lines.
   */
  static Optional<ProcessHandle> workerProcess(String workerId) {
    String needle = "--id\0" + workerId + "\0";
    return ProcessHandle.current().children().filter(p -> commandLine(p).contains(needle)).findFirst();
  }

  private static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      return ""; // the process is gone
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the command line of process " + p.pid(), e);
    }
  }
}
