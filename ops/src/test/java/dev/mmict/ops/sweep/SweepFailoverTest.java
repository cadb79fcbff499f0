package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.sweep.SweepLease;
import dev.mmict.coordinator.sweep.SweepLeaseKeeper;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.SweepStateStore;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.Cli;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.run.TinyBackbone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweep failover with real JVMs: {@code mmict sweep} runs a small sweep (4 trials, 2 at once, one
 * worker each, rungs 2 and 4) while a second {@code mmict sweep --standby} on the same directory
 * waits; the active process is killed with SIGKILL after its first trial finished (its trial JVMs die
 * with it through {@code --parent-pid}); the standby sees the lease go stale, takes it over with term
 * 2 and finishes the sweep from the durable state as a restart would: no finished trial runs again,
 * running ones resume from their rung checkpoints, and the results list every trial. A start on a
 * directory whose lease is fresh is refused, and a standby gives up after its timeout.
 */
class SweepFailoverTest {

  private static final long LEASE_TIMEOUT_S = 6;

  @TempDir
  Path dir;

  private Path sweepFile(Path backbone) throws IOException {
    return SweepRunnerTest.sweepFile(dir.resolve("failover.yaml"), backbone, "3e-3, 1e-3, 1e-4, 1e-5");
  }

  /**
   * {@code mmict sweep} as its own JVM, this JVM's java and class path; output to {@code log}, logged
   * as the CLI logs (its INFO lines, not the tests' WARN-only configuration).
   */
  private static Process sweepJvm(Path file, Path out, Path log, String... extra) throws Exception {
    Path logback = Path.of(SweepFailoverTest.class.getClassLoader().getResource("logback.xml").toURI());
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dlogback.configurationFile=" + logback, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
        "dev.mmict.ops.Main", "sweep", "--config", file.toString(), "--out", out.toString(),
        "--trial-heap-mib", "512", "--lease-timeout", Long.toString(LEASE_TIMEOUT_S)));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Polls {@code found} every 100 ms until it is present or {@code seconds} passed. */
  private static <T> Optional<T> await(long seconds, Supplier<Optional<T>> found) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Optional<T> value = found.get();
      if (value.isPresent()) {
        return value;
      }
      Thread.sleep(100);
    }
    return Optional.empty();
  }

  private static Optional<SweepLease> lease(Path out) {
    try {
      return new SweepLeaseKeeper(out, "reader", 0, Duration.ofSeconds(LEASE_TIMEOUT_S),
          SweepLeaseKeeper.Clock.SYSTEM, pid -> true).read();
    } catch (IOException e) {
      return Optional.empty(); // not there yet
    }
  }

  private static List<TrialEvent> journal(Path out) {
    try {
      return EventJournal.read(out);
    } catch (IOException e) {
      throw new AssertionError("reading the journal in " + out, e);
    }
  }

  /** Whether {@code e} ends its trial. */
  private static boolean ends(TrialEvent e) {
    return e.kind() == TrialEvent.Kind.STOPPED || e.kind() == TrialEvent.Kind.COMPLETED
        || e.kind() == TrialEvent.Kind.FAILED;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aStandbyTakesOverFromAKilledSweepAndFinishesItWithoutRerunningFinishedTrials() throws Exception {
    Path file = sweepFile(TinyBackbone.save(dir.resolve("backbone"), 3));
    Path out = dir.resolve("out");
    Process active = sweepJvm(file, out, dir.resolve("active.log"));
    Process standby = null;
    try {
      SweepLease first = await(90, () -> lease(out)).orElseThrow(() -> new AssertionError(
          "the active sweep took no lease within 90 s: " + log("active.log")));
      assertEquals(1, first.term());
      assertEquals(active.pid(), first.pid());
      standby = sweepJvm(file, out, dir.resolve("standby.log"), "--standby", "--standby-timeout", "240");

      // Mid-sweep: a trial has finished and the others are still to run or running.
      List<TrialEvent> before = await(180, () -> {
        List<TrialEvent> events = journal(out);
        return events.stream().anyMatch(SweepFailoverTest::ends) ? Optional.of(events) : Optional.empty();
      }).orElseThrow(() -> new AssertionError("no trial finished within 180 s: " + log("active.log")));
      assertTrue(standby.isAlive(), "the standby waits: " + log("standby.log"));
      active.destroyForcibly(); // SIGKILL
      long killed = System.nanoTime();
      assertTrue(active.waitFor(30, TimeUnit.SECONDS));
      before = journal(out);
      SweepState atKill = new SweepStateStore(out).load().orElseThrow();
      Set<String> finishedBefore = atKill.trials().stream().filter(t -> t.status().isFinal())
          .map(TrialRecord::id).collect(Collectors.toSet());
      assertFalse(finishedBefore.isEmpty());
      assertTrue(finishedBefore.size() < 4, "killed mid-sweep: " + finishedBefore);

      // The standby takes over once the lease has gone unrenewed for the lease timeout.
      SweepLease taken = await(LEASE_TIMEOUT_S + 30, () -> lease(out).filter(l -> l.term() == 2))
          .orElseThrow(() -> new AssertionError("no take-over: " + log("standby.log")));
      double after = (System.nanoTime() - killed) / 1e9;
      assertEquals(standby.pid(), taken.pid());
      assertTrue(after >= LEASE_TIMEOUT_S * 2.0 / 3 - 0.5, "the standby waited for the lease to go stale ("
          + after + " s after the kill; the holder renewed every " + LEASE_TIMEOUT_S / 3.0 + " s)");

      // The killed sweep's trial JVMs ended with it.
      Set<Long> trialPids = before.stream().filter(e -> e.kind() == TrialEvent.Kind.STARTED)
          .map(TrialEvent::pid).collect(Collectors.toSet());
      assertTrue(await(30, () -> trialPids.stream().noneMatch(SweepFailoverTest::alive)
          ? Optional.of(true) : Optional.empty()).isPresent(), "trial processes of the killed sweep still run");

      assertTrue(standby.waitFor(200, TimeUnit.SECONDS), "the standby did not finish: " + log("standby.log"));
      assertEquals(ExitCodes.OK, standby.exitValue(), log("standby.log"));
      String standbyLog = log("standby.log");
      assertTrue(standbyLog.contains("waiting while the sweep is held by"), standbyLog);
      assertTrue(standbyLog.contains("| trial | trainer.lr |"), "the results table: " + standbyLog);

      SweepState end = new SweepStateStore(out).load().orElseThrow();
      assertTrue(end.finished());
      assertTrue(end.trials().stream().allMatch(t -> t.status() == TrialStatus.COMPLETED
          || t.status() == TrialStatus.STOPPED), "no trial failed or was lost: " + end.trials());
      for (String id : finishedBefore) {
        assertEquals(atKill.trial(id), end.trial(id), id + " finished before the kill and is untouched");
      }
      List<TrialEvent> all = journal(out);
      List<TrialEvent> afterKill = all.subList(before.size(), all.size());
      assertTrue(afterKill.stream().noneMatch(e -> finishedBefore.contains(e.trial())),
          "no event of a trial finished before the kill: " + afterKill);
      for (TrialRecord t : end.trials()) {
        assertEquals(1, all.stream().filter(e -> e.trial().equals(t.id()) && ends(e)).count(),
            t.id() + " finished exactly once: " + all);
        TrialRecord was = atKill.trial(t.id());
        if (!was.status().isFinal() && was.steps() > 0) {
          TrialEvent resumed = afterKill.stream().filter(e -> e.trial().equals(t.id())).findFirst().orElseThrow();
          assertEquals(TrialEvent.Kind.STARTED, resumed.kind());
          assertEquals(was.steps(), resumed.step(), t.id() + " resumed from its rung checkpoint");
        }
      }
      JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
      assertTrue(results.get("finished").asBoolean());
      assertEquals(4, results.get("trials").size());
      String md = Files.readString(out.resolve("results.md"));
      for (TrialRecord t : end.trials()) {
        assertTrue(md.contains(t.id()), t.id() + " in " + md);
      }
      SweepLease last = lease(out).orElseThrow();
      assertEquals(2, last.term());
      assertTrue(last.released(), "the standby released the lease at its end: " + last);
    } finally {
      active.destroyForcibly();
      if (standby != null) {
        standby.destroyForcibly();
      }
    }
  }

  @Test
  void aFreshLeaseRefusesASecondSweepAndAStandbyGivesUpAfterItsTimeout() throws Exception {
    Path file = sweepFile(dir.resolve("no-backbone-needed"));
    Path out = dir.resolve("busy");
    // Another machine's sweep process holds the lease and renews it.
    SweepLeaseKeeper other = new SweepLeaseKeeper(out, "other-host", 4242, Duration.ofSeconds(30),
        SweepLeaseKeeper.Clock.SYSTEM, pid -> true);
    other.acquire(other.judgeAtStart()).orElseThrow();

    Cli.Result refused = Cli.run("sweep", "--config", file.toString(), "--out", out.toString());
    assertEquals(ExitCodes.CLUSTER_ERROR, refused.code(), refused.err());
    assertTrue(refused.err().contains("held by other-host process 4242 (term 1"), refused.err());
    assertTrue(refused.err().contains("--standby"), refused.err());
    assertFalse(Files.exists(out.resolve(SweepStateStore.FILE_NAME)), "nothing ran");

    long start = System.nanoTime();
    Cli.Result gaveUp = Cli.run("sweep", "--config", file.toString(), "--out", out.toString(), "--standby",
        "--standby-timeout", "2", "--lease-timeout", "30");
    assertEquals(ExitCodes.CLUSTER_ERROR, gaveUp.code(), gaveUp.err());
    assertTrue(gaveUp.err().contains("gave up after 2 s"), gaveUp.err());
    assertTrue((System.nanoTime() - start) / 1e9 < 20);
    assertFalse(Files.exists(out.resolve(SweepStateStore.FILE_NAME)), "nothing ran");
    assertEquals(1, other.read().orElseThrow().term(), "the lease is untouched");

    Cli.Result bad = Cli.run("sweep", "--config", file.toString(), "--out", out.toString(), "--lease-timeout", "0");
    assertEquals(ExitCodes.USAGE_ERROR, bad.code(), bad.err());
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      return "(no " + name + ": " + e + ")";
    }
  }
}
