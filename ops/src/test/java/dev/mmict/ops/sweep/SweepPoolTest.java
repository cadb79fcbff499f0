package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.run.TinyBackbone;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps whose trials train on the sweep's shared pool of worker JVMs ({@code budget.workersPerTrial:
 * 2}, {@code budget.workers: 3}): the pool's JVMs are started once and move from trial to trial. A
 * fourth worker, started by the test and not by the sweep, joins the pool over its TCP endpoint
 * ({@code mmict worker --pool-join}) and serves trials like the others; one that speaks another
 * protocol version is refused. A pool worker is killed with SIGKILL while it trains for the first
 * trial; that trial goes on with its other worker, the pool starts a replacement, and no trial is
 * failed, restarted or lost.
 */
class SweepPoolTest {

  private static final Pattern SECONDS = Pattern.compile("(?:^|, )(\\d+\\.\\d) s(?:,|$)");

  @TempDir
  Path dir;

  @Test
  void theTrialCommandLineTrainsInItsJvmOrOnPoolWorkersItAnnounces() {
    TrialLauncher.Segment segment = new TrialLauncher.Segment(dir.resolve("trial.yaml"), dir, 4,
        dir.resolve("r.json"), dir.resolve("l.log"));
    List<String> own = new TrialLauncher(256).command(segment, 1, null);
    assertEquals("0", own.get(own.indexOf("--workers") + 1));
    assertFalse(own.contains("--pool-announce"));
    List<String> pooled = new TrialLauncher(256, "10.0.0.5").command(segment, 3, dir.resolve("a.json"));
    assertEquals("10.0.0.5", pooled.get(pooled.indexOf("--pool-host") + 1), "the trial binds the pool's address");
    assertEquals("3", pooled.get(pooled.indexOf("--workers") + 1));
    assertEquals(dir.resolve("a.json").toAbsolutePath().toString(),
        pooled.get(pooled.indexOf("--pool-announce") + 1));
    assertEquals("4", pooled.get(pooled.indexOf("--stop-at") + 1));
    assertTrue(pooled.contains("--resume"));
  }

  @Test
  void workerDeathsAreReadFromTheMembershipEventsOfASegmentReport() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode twoDied = json.readTree("{\"membership_events\": ["
        + "{\"worker\": \"pool-1\", \"kind\": \"JOINED\", \"step\": 0},"
        + "{\"worker\": \"pool-3\", \"kind\": \"DIED\", \"step\": 5},"
        + "{\"worker\": \"pool-2\", \"kind\": \"LEFT\", \"step\": 6},"
        + "{\"worker\": \"pool-1\", \"kind\": \"DIED\", \"step\": 7}]}");
    assertEquals("pool-3 died at step 5, pool-1 died at step 7, went on with 2 of 4 workers",
        SweepRunner.workerDeaths(twoDied, 4));
    assertEquals(null, SweepRunner.workerDeaths(json.readTree("{\"membership_events\": ["
        + "{\"worker\": \"pool-1\", \"kind\": \"JOINED\", \"step\": 0}]}"), 2));
    assertEquals(null, SweepRunner.workerDeaths(json.readTree("{\"results\": []}"), 1), "a single-process report");
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES) // 3.5 - 5 min measured on 2 cores at load average 10 - 13
  void sixTrialsOnAPoolOfThreeCompleteAndAKilledPoolWorkerLosesNoTrial() throws Exception {
    Path backbone = TinyBackbone.save(dir.resolve("backbone"), 3);
    Path file = dir.resolve("pool.yaml");
    // Learning rates descend with the index: later trials tend to be worse at rung 4 and are stopped.
    Files.writeString(file, String.join("\n",
        "base:",
        "  model: {backbone: '" + backbone + "', maxTextTokens: 16}",
        "  data: {task: shapes-caption}",
        "  trainer: {steps: 8, warmupSteps: 0, batchSize: 4}", // two micro-batches of 2 a step
        "  eval: {samples: 2, batchSize: 2, maxNewTokens: 2}",
        "  checkpoint: {every: 4, keep: 2}",
        "space:",
        "  trainer.lr: {grid: [3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5]}",
        "budget: {numTrials: 1, parallel: 2, workersPerTrial: 2, workers: 3}",
        "objective: {metric: loss, mode: min}",
        "scheduler: {type: asha, maxT: 8, gracePeriod: 4, reductionFactor: 2}",
        "seed: 1",
        ""));
    SweepDefinition sweep = new SweepConfigLoader().load(file);
    Path out = dir.resolve("out");
    Path victimDir = out.resolve("trials").resolve("trial-000");

    // While trial-000's first stretch trains (a step committed to its audit), kill -9 pool-2, one of its two workers.
    List<Long> killed = new CopyOnWriteArrayList<>();
    List<String> problems = new CopyOnWriteArrayList<>();
    List<Thread> killers = new ArrayList<>();
    SweepRunner.Listener listener = e -> {
      if (e.trial().equals("trial-000") && e.kind() == TrialEvent.Kind.STARTED && e.step() == 0) {
        if (!e.detail().contains("pool workers [pool-1, pool-2]")) {
          problems.add("trial-000 did not start on pool-1 and pool-2: " + e.detail());
          return;
        }
        Thread t = new Thread(() -> killPool2OnceTraining(victimDir, killed, problems), "killer");
        t.setDaemon(true);
        t.start();
        killers.add(t);
      }
    };
    // As soon as the pool listens, two workers not started by the sweep join it: remote-1, and old-1,
    // which speaks protocol version 99.
    Map<String, Process> joiners = new java.util.concurrent.ConcurrentHashMap<>();
    Thread joining = new Thread(() -> joinWhenListening(out.resolve("pool").resolve("endpoint"), joiners, problems),
        "joiners");
    joining.setDaemon(true);
    joining.start();
    SweepRunner.Outcome outcome;
    try {
      outcome = new SweepRunner(sweep, new SweepRunner.Options(out, 2, 2, 512, 0, 768), listener).run();
      joining.join(TimeUnit.SECONDS.toMillis(5));
      for (String id : List.of("old-1", "remote-1")) {
        Process p = joiners.get(id);
        assertTrue(p != null && p.waitFor(60, TimeUnit.SECONDS), id + " exited after the sweep: " + p);
      }
    } finally {
      joiners.values().forEach(Process::destroyForcibly);
    }
    for (Thread t : killers) {
      t.join(TimeUnit.SECONDS.toMillis(5));
    }
    assertEquals(List.of(), problems);
    // The old worker was refused with the reason and exited with a cluster error; remote-1 was shut down.
    String oldLog = Files.readString(dir.resolve("old-1.log"));
    assertEquals(5, joiners.get("old-1").exitValue(), oldLog);
    assertTrue(oldLog.contains("pool worker old-1 refused by the sweep at ")
        && oldLog.contains("it speaks protocol version 99, this sweep 1"), oldLog);
    assertEquals(0, joiners.get("remote-1").exitValue(), Files.readString(dir.resolve("remote-1.log")));
    assertEquals(1, killed.size(), "pool-2 was killed once");

    assertTrue(outcome.finished());
    SweepState state = outcome.state();
    assertEquals(6, state.trials().size());
    assertTrue(state.trials().stream().allMatch(t -> t.status() == TrialStatus.COMPLETED
        || t.status() == TrialStatus.STOPPED), "no trial failed or was lost: " + state.trials());
    assertFalse(state.withStatus(TrialStatus.STOPPED).isEmpty(), "ASHA stopped some trials early");
    assertFalse(state.withStatus(TrialStatus.COMPLETED).isEmpty(), "some trials completed");
    List<TrialEvent> journal = EventJournal.read(out);
    assertTrue(journal.stream().noneMatch(e -> e.kind() == TrialEvent.Kind.DIED || e.kind() == TrialEvent.Kind.FAILED),
        "no trial process died or failed: " + journal);

    ObjectMapper json = new ObjectMapper();
    Map<String, Set<Long>> pidsByWorker = new HashMap<>();
    Map<String, Set<String>> trialsByWorker = new HashMap<>();
    for (TrialRecord t : state.trials()) {
      List<TrialEvent> starts = journal.stream()
          .filter(e -> e.trial().equals(t.id()) && e.kind() == TrialEvent.Kind.STARTED).toList();
      assertEquals(t.steps() == 8 ? List.of(0L, 4L) : List.of(0L), starts.stream().map(TrialEvent::step).toList(),
          t.id() + " ran each stretch once: " + journal);
      for (TrialEvent s : starts) {
        JsonNode report = json.readTree(out.resolve("trials").resolve(t.id()).resolve("reports")
            .resolve("step-" + s.toStep() + ".json").toFile());
        assertTrue(report.get("completed").asBoolean(), report.toString());
        assertEquals(s.toStep(), report.get("steps_done").asLong());
        report.get("worker_process_ids").fields().forEachRemaining(w -> {
          pidsByWorker.computeIfAbsent(w.getKey(), k -> new HashSet<>()).add(w.getValue().asLong());
          trialsByWorker.computeIfAbsent(w.getKey(), k -> new HashSet<>()).add(t.id());
        });
      }
      // Worker-seconds: at least one and at most two workers held for every second of each stretch.
      double stretchSeconds = 0;
      for (TrialEvent e : journal) {
        if (e.trial().equals(t.id()) && e.metric() != null) {
          Matcher m = SECONDS.matcher(e.detail());
          assertTrue(m.find(), e.detail());
          stretchSeconds += Double.parseDouble(m.group(1));
        }
      }
      assertTrue(t.workerSeconds() >= stretchSeconds - 0.1 * starts.size()
          && t.workerSeconds() <= 2 * stretchSeconds + 0.1 * starts.size(),
          t.id() + ": " + t.workerSeconds() + " worker-seconds for " + stretchSeconds + " s of stretches");
    }
    // The pool's JVMs moved between trials: each survivor of the sweep's first three, one process throughout,
    // served more than one trial.
    for (String survivor : List.of("pool-1", "pool-3")) {
      assertEquals(1, pidsByWorker.get(survivor).size(), survivor + " ran as " + pidsByWorker.get(survivor));
      assertTrue(trialsByWorker.get(survivor).size() >= 2, survivor + " served " + trialsByWorker.get(survivor));
    }
    assertEquals(Set.of(killed.get(0)), pidsByWorker.get("pool-2"));
    assertEquals(Set.of(joiners.get("remote-1").pid()), pidsByWorker.get("remote-1"),
        "the joined worker served trials: " + trialsByWorker);
    assertFalse(pidsByWorker.containsKey("old-1"), "the refused worker served nothing");
    assertEquals(Set.of("trial-000"), trialsByWorker.get("pool-2"));

    // The victim's first stretch: the death is in its report and its judgement; it finished on pool-1.
    JsonNode first = json.readTree(victimDir.resolve("reports").resolve("step-4.json").toFile());
    List<String> died = new ArrayList<>();
    first.get("membership_events").forEach(e -> {
      if (e.get("kind").asText().equals("DIED")) {
        died.add(e.get("worker").asText());
      }
    });
    assertEquals(List.of("pool-2"), died, first.get("membership_events").toString());
    TrialEvent judged = journal.stream().filter(e -> e.trial().equals("trial-000") && e.metric() != null)
        .findFirst().orElseThrow();
    assertEquals(4, judged.step());
    assertTrue(judged.detail().contains("pool-2 died at step ") && judged.detail().contains("went on with 1 of 2"),
        judged.detail());
    // The pool replaced the dead worker, and every pool JVM is gone after the sweep.
    assertTrue(Files.exists(out.resolve("pool").resolve("pool-4.log")), "a replacement pool-4 was started");
    for (Set<Long> pids : pidsByWorker.values()) {
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pool process " + pid);
      }
    }

    JsonNode results = json.readTree(out.resolve("results.json").toFile());
    assertEquals(6, results.get("trials").size());
    double total = state.trials().stream().mapToDouble(TrialRecord::workerSeconds).sum();
    assertEquals(total, results.get("worker_seconds").asDouble(), 1e-6);
  }

  /**
   * Waits (at most 3 minutes) until the sweep's pool writes its endpoint, then starts two pool workers
   * joining it from outside the sweep: {@code remote-1}, and {@code old-1} with protocol version 99.
   */
  private void joinWhenListening(Path endpointFile, Map<String, Process> joiners, List<String> problems) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    try {
      while (!Files.isRegularFile(endpointFile)) {
        if (System.nanoTime() > deadline) {
          problems.add("the pool wrote no endpoint " + endpointFile + " within 3 minutes");
          return;
        }
        Thread.sleep(50);
      }
      String endpoint = Files.readString(endpointFile).trim();
      for (String id : List.of("remote-1", "old-1")) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx768m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
            "dev.mmict.ops.Main", "worker", "--pool-join", endpoint, "--id", id, "--host", "127.0.0.1",
            "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        if (id.equals("old-1")) {
          cmd.addAll(List.of("--protocol-version", "99"));
        }
        joiners.put(id, new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve(id + ".log").toFile()).start());
      }
    } catch (Exception e) {
      problems.add("starting the joining workers: " + e);
    }
  }

  /**
   * Waits (at most 3 minutes) until trial-000's cluster has committed a step, then kills the pool-2
   * JVM (a child of this JVM); what goes wrong lands in {@code problems}.
   */
  private static void killPool2OnceTraining(Path trialDir, List<Long> killed, List<String> problems) {
    Path audit = trialDir.resolve("audit.jsonl");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    try {
      while (System.nanoTime() < deadline) {
        if (Files.isRegularFile(audit) && Files.size(audit) > 0) {
          List<ProcessHandle> pool2 = ProcessHandle.current().children().filter(c -> isPool2(c.pid())).toList();
          List<String> lines = Files.readAllLines(audit);
          if (lines.size() >= 4 || pool2.size() != 1) {
            problems.add("trial-000's first stretch: " + lines.size() + " steps committed, pool-2 processes "
                + pool2 + ": too late to kill it");
            return;
          }
          pool2.get(0).destroyForcibly(); // SIGKILL
          killed.add(pool2.get(0).pid());
          return;
        }
        Thread.sleep(20);
      }
      problems.add("trial-000 committed no step within 3 minutes (" + audit + ")");
    } catch (Exception e) {
      problems.add("killing pool-2: " + e);
    }
  }

  /** Whether process {@code pid}'s command line is {@code mmict worker --pool-join ... --id pool-2}. */
  private static boolean isPool2(long pid) {
    try {
      List<String> args = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          StandardCharsets.UTF_8).split("\0"));
      int id = args.indexOf("--id");
      return args.contains("--pool-join") && id >= 0 && id + 1 < args.size() && args.get(id + 1).equals("pool-2");
    } catch (java.io.IOException e) {
      return false; // gone
    }
  }
}
