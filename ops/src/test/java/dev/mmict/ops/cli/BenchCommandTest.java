package dev.mmict.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.Main;
import dev.mmict.ops.run.LocalOperations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir
  Path dir;

  @Test
  void exchangeBenchmarkPrintsFiguresAndWritesRatioAndFigures() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("exchange.json");
    int code = Main.run(new String[] {"bench", "exchange", "--ranks", "2", "--sizes-mib", "1", "--iterations", "1",
        "--report", report.toString()}, o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(out.toString().contains("ratio"), out.toString());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    double ratio = json.get("ratio").asDouble();
    assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
    assertEquals(2, json.get("figures").get("ranks").asInt());
    assertTrue(json.get("figures").get("1mib.allreduce_fp32_gbps").asDouble() > 0);
    // Process CPU per iteration is counted in clock ticks: it may read 0 for a tiny vector, never below.
    assertTrue(json.get("figures").get("1mib.allreduce_fp32_cpu_seconds").asDouble() >= 0);
    assertTrue(json.get("figures").has("1mib.cpu_ratio"));
  }

  @Test
  void cacheBenchmarkAlternatesRoundsAndReportsTheEncodersShareBesideTheRatio() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("cache.json");
    Path work = dir.resolve("work");
    int code = Main.run(new String[] {"bench", "cache", "--steps", "2", "--warmup-steps", "0", "--rounds", "2",
        "--work-dir", work.toString(), "--report", report.toString(),
        "--set", "model.backbone=" + backbone(), "--set", "data.task=shapes-caption",
        "--set", "trainer.batchSize=2"}, o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(out.toString().contains("ratio (no cache / warm cache)"), out.toString());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    double ratio = json.get("ratio").asDouble();
    assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
    JsonNode f = json.get("figures");
    assertEquals(ratio, f.get("no_cache_s").asDouble() / f.get("warm_cache_s").asDouble(), 1e-9);
    double[] off = doubles(f.get("no_cache_rounds_s"));
    double[] warm = doubles(f.get("warm_cache_rounds_s"));
    double[] perRound = doubles(f.get("round_ratios"));
    assertEquals(2, off.length);
    assertEquals(2, warm.length);
    assertEquals(ratio, (off[0] + off[1]) / (warm[0] + warm[1]), 1e-9, "the ratio is of the totals");
    assertEquals(off[1] / warm[1], perRound[1], 1e-9);
    double share = f.get("encoder_share").asDouble();
    assertTrue(share > 0 && share < 1, "the encoder is part of a no-cache step: " + share);
    assertEquals(1 / (1 - share), f.get("encoder_only_ratio").asDouble(), 1e-9);
    assertEquals(0, f.get("warm_cache_encoder_s").asDouble(), "a warm pass never runs the encoder");
    assertTrue(f.get("no_cache_rounds_identical").asBoolean(), "every pass starts from the same backbone");
    assertTrue(out.toString().contains("of a no-cache step: removing exactly that time gives"), out.toString());
    // shapes-caption gives each query 2 demonstrations: 2 steps x 2 dialogs x 3 pictures.
    assertEquals(12, f.get("visuals_per_pass").asInt());
    assertEquals(0, f.get("warm_misses").asInt(), "the warm passes are served entirely from the cache");
    assertTrue(f.get("cache_records").asInt() > 0 && f.get("cache_bytes").asLong() > 0);
    assertTrue(f.get("cold_warm_losses_identical").asBoolean());
    assertEquals(0, Files.list(work).count(), "the temporary cache is removed");
  }

  @Test
  @org.junit.jupiter.api.Timeout(300)
  void recoveryBenchmarkKillsAWorkerMidRunAndReportsTheRecoveryAndTheDetection() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("recovery.json");
    int code = Main.run(new String[] {"bench", "recovery", "--workers", "2", "--steps", "4", "--kill-after-step", "1",
        "--micro-batch-size", "2", "--timeout", "240", "--work-dir", dir.resolve("work").toString(),
        "--report", report.toString(), "--set", "model.backbone=" + backbone(), "--set", "data.task=shapes-caption",
        "--set", "trainer.batchSize=4", "--set", "trainer.warmupSteps=0"},
        o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString() + out);
    assertTrue(out.toString().contains("kill -> next committed step"), out.toString());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    JsonNode f = json.get("figures");
    double recovery = f.get("recovery_s").asDouble();
    assertTrue(recovery > 0 && Double.isFinite(recovery), "recovery " + recovery);
    assertEquals(recovery / f.get("target_s").asDouble(), json.get("ratio").asDouble(), 1e-9);
    assertEquals("worker-2", f.get("victim").asText());
    assertTrue(f.get("completed").asBoolean(), f.toString());
    assertEquals(4, f.get("steps_run").asInt(), "the survivor trains every step");
    // Either the kill hit the step in flight, or the next step was planned with the victim before
    // its death was noticed: one attempt is aborted either way.
    assertTrue(f.get("steps_aborted").asInt() >= 1, "the kill aborted a step: " + f);
    // The coordinator declared the victim dead after the kill and before the recovered commit.
    double dead = f.get("death_detected_s").asDouble();
    assertTrue(dead > 0 && dead <= recovery, f.toString());
    assertTrue(f.get("audit_exactly_once").asBoolean(), f.toString());
    assertTrue(f.get("survivor_pids_unchanged").asBoolean(), f.toString());
    assertEquals(500, f.get("fd_heartbeat_interval_ms").asInt());
    assertEquals(1500, f.get("fd_acceptable_heartbeat_pause_ms").asInt());
    assertEquals(3000, f.get("sbr_stable_after_ms").asInt());
  }

  @Test
  @org.junit.jupiter.api.Timeout(300)
  void scalingBenchmarkTimesTheSingleProcessAndAOneWorkerClusterOnTheSameSteps() throws Exception {
    ScalingRun run = scaling("--steps", "3", "--warmup-steps", "1", "--rounds", "1", "--no-interleave");
    String out = run.out();
    assertTrue(out.contains("ratio (1-worker cluster / single process, medians)"), out);
    JsonNode json = run.report();
    JsonNode f = json.get("figures");
    assertEquals(List.of("single", "cluster1"), strings(f.get("order")), "one round: each side once, single first");
    double single = f.get("single_ms_per_step").asDouble();
    double cluster = f.get("cluster1_ms_per_step").asDouble();
    assertTrue(single > 0 && cluster > 0, f.toString());
    assertEquals(cluster / single, json.get("ratio").asDouble(), 1e-9);
    assertEquals(f.get("cluster1_mean_ms_per_step").asDouble() / f.get("single_mean_ms_per_step").asDouble(),
        f.get("mean_ratio").asDouble(), 1e-9);
    assertEquals(2, f.get("timed_steps").asInt());
    // Two timed steps: their median is their mean, and one pass's mean is the side's.
    assertEquals(single, f.get("single_mean_ms_per_step").asDouble(), 1e-6);
    assertEquals(cluster, f.get("cluster1_mean_ms_per_step").asDouble(), 1e-6);
    assertEquals(1, f.get("single_pass_ms_per_step").size());
    assertEquals(single, f.get("single_pass_ms_per_step").get(0).asDouble(), 1e-6);
    assertEquals(cluster, f.get("cluster1_pass_ms_per_step").get(0).asDouble(), 1e-6);
    assertEquals(2, f.get("micro_batch_size").asInt(), "by default the cluster computes the whole batch at once");
    assertEquals(3, f.get("single_losses").size());
    assertEquals(3, f.get("cluster1_losses").size(), "the cluster committed every step");
    assertTrue(f.get("cluster2_ms_per_step").isNull(), "--no-two-workers skips the 2-worker cluster");
    // Process CPU per step: the single process's own; the cluster's coordinator and worker JVMs together.
    double singleCpu = f.get("single_cpu_ms_per_step").asDouble();
    double coordinatorCpu = f.get("cluster1_coordinator_cpu_ms_per_step").asDouble();
    double workerCpu = f.get("cluster1_worker_cpu_ms_per_step").asDouble();
    double clusterCpu = f.get("cluster1_cpu_ms_per_step").asDouble();
    assertTrue(singleCpu > 0 && workerCpu > 0 && coordinatorCpu >= 0, f.toString());
    assertEquals(coordinatorCpu + workerCpu, clusterCpu, 1e-6);
    assertEquals(clusterCpu / singleCpu, f.get("cpu_ratio").asDouble(), 1e-9);
    assertEquals(f.get("single_jit_cpu_ms_per_step").asDouble() / singleCpu, f.get("single_jit_share").asDouble(),
        1e-9);
    assertEquals(f.get("cluster1_jit_cpu_ms_per_step").asDouble() / clusterCpu, f.get("cluster1_jit_share").asDouble(),
        1e-9);
    assertTrue(out.contains("cpu_ratio"), out);
    // Each pass ran in a JVM of its own and left its trace and log in the bench's directory.
    Path work = Path.of(f.get("work_dir").asText());
    assertTrue(Files.isRegularFile(work.resolve("pass-1-single").resolve("trace.json")), work.toString());
    assertTrue(Files.isRegularFile(work.resolve("pass-2-cluster1").resolve("audit.jsonl")), work.toString());
    assertEquals("sequential", f.get("schedule").asText());
    assertEquals(0, f.get("block_ratios").size());
  }

  @Test
  @org.junit.jupiter.api.Timeout(300)
  void interleavedScalingRunsBothSidesAtOnceButNeverTheirTimedStepsTogether() throws Exception {
    // 2 warm-up steps, 5 timed steps in turns of 2: blocks [2, 3], [4, 5], [6] on each side.
    ScalingRun run = scaling("--steps", "7", "--warmup-steps", "2", "--block", "2", "--rounds", "1");
    JsonNode f = run.report().get("figures");
    assertEquals("interleaved", f.get("schedule").asText());
    assertEquals(2, f.get("block_steps").asInt());
    assertEquals(List.of("single", "cluster1"), strings(f.get("order")));
    assertEquals(3, f.get("block_ratios").size(), "three turns of each side");
    assertTrue(run.out().contains("block by block"), run.out());
    assertEquals(7, f.get("single_losses").size());
    assertEquals(7, f.get("cluster1_losses").size(), "the cluster committed every step");
    Path work = Path.of(f.get("work_dir").asText());
    ObjectMapper json = new ObjectMapper();
    JsonNode single = json.readTree(work.resolve("pass-1-single").resolve("trace.json").toFile());
    JsonNode cluster = json.readTree(work.resolve("pass-2-cluster1").resolve("trace.json").toFile());
    long[] se = longs(single.get("endNanos"));
    long[] sw = longs(single.get("waitNanos"));
    long[] ce = longs(cluster.get("endNanos"));
    long[] cw = longs(cluster.get("waitNanos"));
    // Both ran in one machine's monotonic clock: each side resumes (end of its previous step + its
    // wait) only after the other side's block ended.
    for (int[] turn : new int[][] {{2, 3}, {4, 5}, {6, 6}}) {
      long clusterResumes = ce[turn[0] - 1] + cw[turn[0] - 1];
      assertTrue(clusterResumes >= se[turn[1]], "the cluster's block from step " + turn[0]
          + " began before the single process's block ended");
      if (turn[1] + 1 < se.length) {
        long singleResumes = se[turn[1]] + sw[turn[1]];
        assertTrue(singleResumes >= ce[turn[1]], "the single process's block after step " + turn[1]
            + " began before the cluster's block ended");
      }
    }
    assertTrue(cw[1] > 0, "the cluster waited for the single process's first block");
    assertEquals(0, sw[0] + cw[0], "no turns during the warm-up");
  }

  /** What one {@code bench scaling} run printed and reported. */
  private record ScalingRun(String out, JsonNode report) { }

  /**
   * Runs {@code bench scaling} with {@code options} on the shipped backbone (2 shapes-caption
   * dialogs per step, no 2-worker pass) and checks that it succeeded.
   */
  private ScalingRun scaling(String... options) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("scaling.json");
    List<String> args = new java.util.ArrayList<>(List.of("bench", "scaling"));
    args.addAll(List.of(options));
    args.addAll(List.of("--no-two-workers", "--timeout", "240", "--work-dir", dir.resolve("work").toString(),
        "--report", report.toString(), "--set", "model.backbone=" + backbone(), "--set", "data.task=shapes-caption",
        "--set", "trainer.batchSize=2"));
    int code = Main.run(args.toArray(String[]::new), o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString() + out);
    return new ScalingRun(out.toString(), new ObjectMapper().readTree(report.toFile()));
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void benchSettingsThatCannotMeasureAnythingAreRefused() {
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(new StringWriter(), true);
    int code = Main.run(new String[] {"bench", "recovery", "--workers", "1"}, o, new PrintWriter(err, true), Map.of(),
        new LocalOperations(o));
    assertEquals(ExitCodes.USAGE_ERROR, code, "one worker cannot lose one and go on");
    assertTrue(err.toString().contains("at least 2 workers"), err.toString());
  }

  /** The shipped backbone, from the module directory the tests run in or the repository root. */
  private static String backbone() {
    Path p = Path.of("..", "models", "backbone-tiny");
    return (Files.isDirectory(p) ? p : Path.of("models", "backbone-tiny")).toString();
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }
}
