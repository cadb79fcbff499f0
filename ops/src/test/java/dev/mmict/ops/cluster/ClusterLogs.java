package dev.mmict.ops.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a failing cluster test should print: the last events of our own loggers (nodes started
 * by tests log them at INFO, see {@code ChildJvm}) and Pekko Cluster's warnings (unreachable
 * members, split brain resolver decisions) in every node log under a run directory. CI keeps no temporary directories, so the failure message
 * is the only place the nodes' side of the story survives.
 */
final class ClusterLogs {

  private ClusterLogs() { }

  /** The last {@code perLog} lines of mmict loggers or Pekko Cluster warnings in each {@code *.log} under {@code dir}. */
  static String trouble(Path dir, int perLog) {
    StringBuilder b = new StringBuilder();
    if (!Files.isDirectory(dir)) {
      return "";
    }
    try (Stream<Path> files = Files.walk(dir, 3)) {
      for (Path log : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log).stream()
            .filter(ClusterLogs::tells).toList();
        b.append("\n--- ").append(dir.relativize(log)).append(':');
        lines.subList(Math.max(0, lines.size() - perLog), lines.size()).forEach(l -> b.append("\n  ").append(l));
      }
    } catch (IOException e) {
      b.append("\n(logs under ").append(dir).append(" unreadable: ").append(e).append(')');
    }
    return b.toString();
  }

  /** Whether a log line belongs in the story: any event of ours, or a cluster membership warning. */
  private static boolean tells(String line) {
    return line.contains(" d.m.") || (line.contains(" o.a.p.c") && (line.contains(" WARN ") || line.contains(" ERROR ")));
  }
}
