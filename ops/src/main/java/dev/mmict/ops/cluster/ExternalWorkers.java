package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.ops.CommandFailure;
import dev.mmict.worker.cluster.FinalState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An embedded cluster whose workers are started elsewhere (a sweep's pool): instead of starting
 * worker JVMs, the coordinator's JVM writes an {@link Announcement} (where to join, what to load)
 * that the pool reads, and after the run it takes the final parameters from the files the
 * external workers leave in its workers directory ({@code <id>.final.safetensors}, each renamed
 * into place only once complete).
 */
public final class ExternalWorkers {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FINAL_SUFFIX = ".final.safetensors";

  private ExternalWorkers() { }

  /**
   * How a run takes external workers.
   *
   * @param announceFile where the coordinator's JVM writes its {@link Announcement}
   * @param host the address the coordinator's node binds: one the external workers reach
   *     ({@code 127.0.0.1} when they all run on this machine)
   */
  public record Invitation(Path announceFile, String host) { }

  /**
   * What external workers need to join one run.
   *
   * @param seed host:port of the coordinator node
   * @param config the resolved run config the workers load (the coordinator's)
   * @param resumeFrom the cluster checkpoint every worker loads first; null: a fresh start
   * @param workersDir where each worker writes its final parameters as {@code <id>.final.safetensors}
   * @param pid the coordinator JVM's process id (workers leave when it ends)
   */
  public record Announcement(String seed, String config, String resumeFrom, String workersDir, long pid) {

    /** The final-parameter file of worker {@code id}. */
    public Path finalState(String id) {
      return Path.of(workersDir).resolve(id + FINAL_SUFFIX);
    }

    /** Writes this to {@code file} atomically (a reader sees all of it or nothing). */
    public void write(Path file) throws IOException {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The announcement in {@code file}, empty while there is none. */
    public static Optional<Announcement> read(Path file) throws IOException {
      try {
        return Optional.of(JSON.readValue(file.toFile(), Announcement.class));
      } catch (NoSuchFileException | java.io.FileNotFoundException e) {
        return Optional.empty();
      }
    }
  }

  /** Removes final-parameter files an earlier run left in {@code workersDir}, so none is taken for this run's. */
  static void clearFinalStates(Path workersDir) throws IOException {
    for (Path p : finalStateFiles(workersDir).values()) {
      Files.delete(p);
    }
  }

  /**
   * Waits (at most {@code timeout}) until a worker left a final-parameter file in {@code
   * workersDir} that records {@code sha256}, and returns every such file by worker id.
   *
   * @throws CommandFailure (cluster error) when none appeared in time
   */
  static Map<String, Path> awaitFinalStates(Path workersDir, String sha256, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Path> matching = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : finalStateFiles(workersDir).entrySet()) {
        if (sha256.equals(Safetensors.read(e.getValue()).metadata().get(FinalState.SHA256_KEY))) {
          matching.put(e.getKey(), e.getValue());
        }
      }
      if (!matching.isEmpty()) {
        return matching;
      }
      if (System.nanoTime() > deadline) {
        throw CommandFailure.clusterError("no external worker wrote the run's final parameters (sha256 " + sha256
            + ") to " + workersDir + " within " + timeout, null);
      }
      Thread.sleep(100);
    }
  }

  private static Map<String, Path> finalStateFiles(Path workersDir) throws IOException {
    Map<String, Path> files = new TreeMap<>();
    if (!Files.isDirectory(workersDir)) {
      return files;
    }
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(workersDir, "*" + FINAL_SUFFIX)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        files.put(name.substring(0, name.length() - FINAL_SUFFIX.length()), p);
      }
    }
    return files;
  }
}
