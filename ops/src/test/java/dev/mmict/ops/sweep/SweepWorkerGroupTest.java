package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import dev.mmict.ops.config.SweepConfigLoader;
import dev.mmict.ops.config.SweepDefinition;
import dev.mmict.ops.run.TinyBackbone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps whose trials train on a group of worker JVMs ({@code budget.workersPerTrial: 2}): each
 * trial stretch is a JVM running its own local cluster of two worker JVMs on loopback. A worker of
 * the first trial is killed with SIGKILL while it trains; the trial's cluster goes on with the
 * survivor, so the trial is neither failed nor restarted.
 */
class SweepWorkerGroupTest {

  private static final Pattern SECONDS = Pattern.compile("(?:^|, )(\\d+\\.\\d) s(?:,|$)");

  @TempDir
  Path dir;

  @Test
  void theCommandLineTrainsInTheTrialJvmForOneWorkerAndOnItsOwnClusterForMore() {
    TrialLauncher.Segment segment = new TrialLauncher.Segment(dir.resolve("trial.yaml"), dir, 4,
        dir.resolve("r.json"), dir.resolve("l.log"));
    List<String> one = new TrialLauncher(256, 1).command(segment);
    assertEquals("0", one.get(one.indexOf("--workers") + 1));
    List<String> three = new TrialLauncher(256, 3).command(segment);
    assertEquals("3", three.get(three.indexOf("--workers") + 1));
    assertEquals("4", three.get(three.indexOf("--stop-at") + 1));
    assertTrue(three.contains("--resume"));
  }

  @Test
  void workerDeathsAreReadFromTheMembershipEventsOfASegmentReport() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode twoDied = json.readTree("{\"membership_events\": ["
        + "{\"worker\": \"worker-1\", \"kind\": \"JOINED\", \"step\": 0},"
        + "{\"worker\": \"worker-3\", \"kind\": \"DIED\", \"step\": 5},"
        + "{\"worker\": \"worker-2\", \"kind\": \"LEFT\", \"step\": 6},"
        + "{\"worker\": \"worker-1\", \"kind\": \"DIED\", \"step\": 7}]}");
    assertEquals("worker-3 died at step 5, worker-1 died at step 7, went on with 2 of 4 workers",
        SweepRunner.workerDeaths(twoDied, 4));
    assertEquals(null, SweepRunner.workerDeaths(json.readTree("{\"membership_events\": ["
        + "{\"worker\": \"worker-1\", \"kind\": \"JOINED\", \"step\": 0}]}"), 2));
    assertEquals(null, SweepRunner.workerDeaths(json.readTree("{\"results\": []}"), 1), "a single-process report");
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void twoTrialsOnTwoWorkersEachCompleteAndAKilledWorkerNeitherFailsNorRestartsItsTrial() throws Exception {
    Path backbone = TinyBackbone.save(dir.resolve("backbone"), 3);
    Path file = dir.resolve("groups.yaml");
    Files.writeString(file, String.join("\n",
        "base:",
        "  model: {backbone: '" + backbone + "', maxTextTokens: 16}",
        "  data: {task: shapes-caption}",
        "  trainer: {steps: 8, warmupSteps: 0, batchSize: 8}", // two micro-batches of 4 a step,
        "  eval: {samples: 2, batchSize: 2, maxNewTokens: 2}",
        "  checkpoint: {every: 4, keep: 2}",
        "space:",
        "  trainer.lr: {grid: [3e-3, 1e-4]}",
        "budget: {numTrials: 1, parallel: 2, workersPerTrial: 2}",
        "objective: {metric: loss, mode: min}",
        "scheduler: {type: asha, maxT: 8, gracePeriod: 4, reductionFactor: 2}",
        "seed: 1",
        ""));
    SweepDefinition sweep = new SweepConfigLoader().load(file);
    Path out = dir.resolve("out");
    Path victimDir = out.resolve("trials").resolve("trial-000");

    // While trial-000's first stretch trains (a step committed to its audit), kill -9 its worker-2.
    List<Long> killed = new CopyOnWriteArrayList<>();
    List<String> problems = new CopyOnWriteArrayList<>();
    List<Thread> killers = new ArrayList<>();
    SweepRunner.Listener listener = e -> {
      if (e.trial().equals("trial-000") && e.kind() == TrialEvent.Kind.STARTED && e.step() == 0) {
        Thread t = new Thread(() -> killWorker2OnceTraining(e.pid(), victimDir, killed, problems), "killer");
        t.setDaemon(true);
        t.start();
        killers.add(t);
      }
    };
    SweepRunner.Outcome outcome = new SweepRunner(sweep, new SweepRunner.Options(out, 2, 2, 512), listener).run();
    for (Thread t : killers) {
      t.join(TimeUnit.SECONDS.toMillis(5));
    }
    assertEquals(List.of(), problems);
    assertEquals(1, killed.size(), "worker-2 of trial-000 was killed once");

    assertTrue(outcome.finished());
    SweepState state = outcome.state();
    assertEquals(2, state.trials().size());
    assertTrue(state.trials().stream().allMatch(t -> t.status() == TrialStatus.COMPLETED
        || t.status() == TrialStatus.STOPPED), "no trial failed or was lost: " + state.trials());
    List<TrialEvent> journal = EventJournal.read(out);
    assertTrue(journal.stream().noneMatch(e -> e.kind() == TrialEvent.Kind.DIED || e.kind() == TrialEvent.Kind.FAILED),
        "no trial process died or failed: " + journal);

    ObjectMapper json = new ObjectMapper();
    for (TrialRecord t : state.trials()) {
      // No trial ran a stretch twice: one start per rung it reached.
      List<TrialEvent> starts = journal.stream()
          .filter(e -> e.trial().equals(t.id()) && e.kind() == TrialEvent.Kind.STARTED).toList();
      assertEquals(t.steps() == 8 ? List.of(0L, 4L) : List.of(0L), starts.stream().map(TrialEvent::step).toList(),
          t.id() + ": " + journal);
      // Every stretch ran on a 2-worker cluster of its own.
      for (TrialEvent s : starts) {
        JsonNode report = json.readTree(out.resolve("trials").resolve(t.id()).resolve("reports")
            .resolve("step-" + s.toStep() + ".json").toFile());
        assertEquals(2, report.get("workers").asInt(), t.id() + " step " + s.toStep());
        assertTrue(report.get("completed").asBoolean(), report.toString());
        assertEquals(s.toStep(), report.get("steps_done").asLong());
      }
      // Worker-seconds: two workers for every second of each stretch (the seconds its event names).
      double stretchSeconds = 0;
      int stretches = 0;
      for (TrialEvent e : journal) {
        if (e.trial().equals(t.id()) && e.metric() != null) {
          Matcher m = SECONDS.matcher(e.detail());
          assertTrue(m.find(), e.detail());
          stretchSeconds += Double.parseDouble(m.group(1));
          stretches++;
        }
      }
      assertEquals(starts.size(), stretches);
      assertEquals(2 * stretchSeconds, t.workerSeconds(), 0.1 * stretches + 1e-9, t.id());
    }

    // The victim's first stretch: the death is in its report, the cluster finished on the survivor.
    JsonNode first = json.readTree(victimDir.resolve("reports").resolve("step-4.json").toFile());
    List<JsonNode> died = new ArrayList<>();
    first.get("membership_events").forEach(e -> {
      if (e.get("kind").asText().equals("DIED")) {
        died.add(e);
      }
    });
    assertEquals(1, died.size(), first.get("membership_events").toString());
    assertEquals("worker-2", died.get(0).get("worker").asText());
    JsonNode exit = first.get("worker_exit_codes").get("worker-2");
    assertNotNull(exit, first.toString());
    assertNotEquals(0, exit.asInt(), "worker-2 was killed");
    assertEquals(0, first.get("worker_exit_codes").get("worker-1").asInt(), "the survivor finished the stretch");
    assertFalse(ProcessHandle.of(killed.get(0)).map(ProcessHandle::isAlive).orElse(false));
    TrialEvent judged = journal.stream().filter(e -> e.trial().equals("trial-000") && e.metric() != null)
        .findFirst().orElseThrow();
    assertEquals(4, judged.step());
    assertTrue(judged.detail().contains("worker-2 died at step ") && judged.detail().contains("went on with 1 of 2"),
        judged.detail());
    assertTrue(journal.stream().filter(e -> e.detail() != null)
        .noneMatch(e -> e.detail().endsWith(", null") || e.detail().contains("died at step") && e != judged),
        "only the victim's first judgement names a worker death: " + journal);
    assertTrue(state.trial("trial-000").rungMetrics().containsKey(4L));
    // The audit: from the step in flight at the death to the rung only worker-1 trained; the next
    // stretch had both workers again.
    long deathStep = died.get(0).get("step").asLong();
    for (JsonNode step : auditSteps(victimDir)) {
      long n = step.get("step").asLong();
      if (n >= deathStep && n < 4) {
        assertEquals(Set.of("worker-1"), workers(step), "step " + n + " after the death");
      }
    }
    assertTrue(auditSteps(victimDir).stream().filter(s -> s.get("step").asLong() >= 4)
        .anyMatch(s -> workers(s).equals(Set.of("worker-1", "worker-2"))), "the second stretch ran on 2 workers");

    JsonNode results = json.readTree(out.resolve("results.json").toFile());
    assertEquals(2, results.get("trials").size());
    double total = state.trials().stream().mapToDouble(TrialRecord::workerSeconds).sum();
    assertEquals(total, results.get("worker_seconds").asDouble(), 1e-6);
  }

  /** The committed steps in a trial's sample audit. */
  private static List<JsonNode> auditSteps(Path trialDir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> steps = new ArrayList<>();
    for (String line : Files.readAllLines(trialDir.resolve("audit.jsonl"))) {
      steps.add(json.readTree(line));
    }
    return steps;
  }

  /** The workers that trained a micro-batch of an audited step. */
  private static Set<String> workers(JsonNode step) {
    Set<String> ids = new TreeSet<>();
    step.get("microBatches").forEach(m -> ids.add(m.get("worker").asText()));
    return ids;
  }

  /**
   * Waits (at most 3 minutes) until trial-000's cluster has committed a step, then kills the
   * worker-2 JVM among the children of the trial process {@code trialPid}; what goes wrong lands in
   * {@code problems}.
   */
  private static void killWorker2OnceTraining(long trialPid, Path trialDir, List<Long> killed, List<String> problems) {
    Path audit = trialDir.resolve("audit.jsonl");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    try {
      while (System.nanoTime() < deadline) {
        if (Files.isRegularFile(audit) && Files.size(audit) > 0) {
          ProcessHandle trial = ProcessHandle.of(trialPid).orElse(null);
          List<ProcessHandle> worker2 = trial == null ? List.of() : trial.children()
              .filter(c -> isWorker2(c.pid())).toList();
          List<String> lines = Files.readAllLines(audit);
          if (lines.size() >= 4 || worker2.size() != 1) {
            problems.add("trial-000's first stretch: " + lines.size() + " steps committed, worker-2 processes "
                + worker2 + ": too late to kill it");
            return;
          }
          worker2.get(0).destroyForcibly(); // SIGKILL
          killed.add(worker2.get(0).pid());
          return;
        }
        Thread.sleep(20);
      }
      problems.add("trial-000 committed no step within 3 minutes (" + audit + ")");
    } catch (Exception e) {
      problems.add("killing worker-2: " + e);
    }
  }

  /** Whether process {@code pid}'s command line is {@code mmict worker ... --id worker-2}. */
  private static boolean isWorker2(long pid) {
    try {
      List<String> args = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).split("\0"));
      int id = args.indexOf("--id");
      return args.contains("worker") && id >= 0 && id + 1 < args.size() && args.get(id + 1).equals("worker-2");
    } catch (java.io.IOException e) {
      return false; // gone
    }
  }
}
