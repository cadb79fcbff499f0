package dev.mmict.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.run.TinyBackbone;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mmict coordinator} started by hand, with two {@code mmict worker} JVMs joining it, writes
 * the run's checkpoints every {@code checkpoint.every} steps and after the last (as {@code train}'s
 * embedded coordinator does) into {@code --out}/checkpoints.
 */
class CoordinatorCheckpointsTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aHandStartedCoordinatorWithTwoWorkersCheckpointsEveryNSteps() throws Exception {
    Path backbone = TinyBackbone.save(dir.resolve("backbone"), 3);
    Path config = dir.resolve("run.yaml");
    Files.writeString(config, String.join("\n",
        "model: {backbone: '" + backbone + "', maxTextTokens: 16}",
        "data: {task: shapes-caption}",
        "trainer: {steps: 5, warmupSteps: 0, batchSize: 4}",
        "checkpoint: {every: 2, keep: 10}",
        ""));
    Path out = dir.resolve("run");
    List<Process> processes = new ArrayList<>();
    try {
      Process coordinator = start(dir.resolve("coordinator.log"), "coordinator", "--config", config.toString(),
          "--workers", "2", "--audit", out.resolve("audit.jsonl").toString(), "--out", out.toString());
      processes.add(coordinator);
      String seed = null;
      List<String> lines = new ArrayList<>();
      try (BufferedReader stdout = new BufferedReader(new InputStreamReader(coordinator.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = stdout.readLine()) != null) {
          lines.add(line);
          if (seed == null && line.startsWith("coordinator node at ")) {
            seed = line.substring("coordinator node at ".length()).split(" ")[0];
            for (String id : List.of("worker-1", "worker-2")) {
              processes.add(start(dir.resolve(id + ".log"), "worker", "--config", config.toString(), "--seed", seed,
                  "--id", id));
            }
          }
        }
      }
      assertTrue(coordinator.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, coordinator.exitValue(), "coordinator output " + lines + ", log "
          + Files.readString(dir.resolve("coordinator.log")));
      assertTrue(lines.contains("checkpoints in " + out.resolve("checkpoints") + " every 2 steps and after the last"
          + " step"), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("completed after 5 steps")), lines.toString());
      try (Stream<Path> written = Files.list(out.resolve("checkpoints"))) {
        assertEquals(List.of("step-00000002", "step-00000004", "step-00000005"),
            written.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList());
      }
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
  }

  /** Starts {@code mmict <args>} in a JVM of this class path; stderr goes to {@code log}. */
  private static Process start(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
        "dev.mmict.ops.Main"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--parent-pid", Long.toString(ProcessHandle.current().pid())));
    return new ProcessBuilder(cmd).directory(new File(System.getProperty("user.dir")))
        .redirectError(log.toFile()).start();
  }
}
