package dev.mmict.ops.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of every JVM command line that mmict runs for itself (cluster nodes, sweep trials,
 * pool workers, benchmark passes): this JVM's {@code java} and class path, offline DJL with one
 * intra- and one inter-op thread (deterministic mode's fixed thread count), and our log level.
 *
 * <p>The child logs {@code dev.mmict} at this JVM's level, as {@code logback.xml} resolves it: the
 * {@code mmict.log.level} property, else the {@code MMICT_LOG_LEVEL} environment variable, else
 * INFO. A node's log file is where a failed run's story is read, so it holds the events even when
 * the parent is quiet (the tests' own log configuration is WARN; their nodes' files still say what
 * each node did), and {@code MMICT_LOG_LEVEL=DEBUG} reaches every node of a local cluster.
 */
public final class ChildJvm {

  private ChildJvm() { }

  /** {@code java -Xmx<heapMiB>m <flags> -cp <this class path>}; the caller appends the main class and arguments. */
  public static List<String> command(int heapMiB, String... extraFlags) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heapMiB + "m",
        "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1",
        "-Dmmict.log.level=" + logLevel(System.getProperty("mmict.log.level"), System.getenv("MMICT_LOG_LEVEL"))));
    cmd.addAll(List.of(extraFlags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    return cmd;
  }

  /** The level a child logs at: the property if set, else the environment variable if set, else INFO. */
  static String logLevel(String property, String environment) {
    if (property != null && !property.isBlank()) {
      return property;
    }
    return environment != null && !environment.isBlank() ? environment : "INFO";
  }
}
