package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.ByteString;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import dev.mmict.ops.ExitCodes;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.PlanShape;
import dev.mmict.storage.checkpoint.CheckpointState;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.worker.cluster.ClusterCheckpoints;
import dev.mmict.worker.cluster.ReplicaState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of {@code mmict train --workers N}: written by a worker the coordinator picks, in the
 * single-process layout; {@code --stop-at} then {@code --resume} ends bitwise where a run straight
 * through ends; and a checkpoint of another plan, or of the other trainer, is refused.
 */
class ClusterCheckpointTest {

  @TempDir
  Path dir;

  private static List<String> base(Path out) {
    return new ArrayList<>(List.of("train", "--out", out.toString(),
        "--report", out.resolve("report.json").toString(), "--timeout", "240",
        "--set", "model.backbone=../models/backbone-tiny", "--set", "data.task=shapes-caption",
        "--set", "trainer.batchSize=8", "--set", "trainer.warmupSteps=0", "--set", "trainer.lr=3e-3",
        "--set", "trainer.steps=6", "--set", "eval.samples=4", "--set", "checkpoint.every=2"));
  }

  private static Result train(Path out, String... extra) {
    List<String> args = base(out);
    args.addAll(List.of(extra));
    return Cli.run(args);
  }

  private static JsonNode report(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("report.json").toFile());
  }

  @Test
  @Timeout(900)
  void stopAtThenResumeEndsWithTheParametersOfARunStraightThrough() throws Exception {
    Path straight = dir.resolve("straight");
    Result a = train(straight, "--workers", "2", "--deterministic", "--micro-batch-size", "2");
    assertEquals(ExitCodes.OK, a.code(), a.err() + a.out());
    JsonNode ra = report(straight);
    assertTrue(ra.get("last_checkpoint").asText().endsWith("step-00000006"), ra.toString());

    Path parts = dir.resolve("parts");
    Result b1 = train(parts, "--workers", "2", "--deterministic", "--micro-batch-size", "2", "--stop-at", "3");
    assertEquals(ExitCodes.OK, b1.code(), b1.err() + b1.out());
    JsonNode r1 = report(parts);
    assertEquals(3, r1.get("steps_run").asInt(), r1.toString());
    assertTrue(r1.get("last_checkpoint").asText().endsWith("step-00000003"), r1.toString());
    assertEquals(List.of(2L, 3L), steps(r1.get("checkpoints")), "every 2 steps, and at the stop");
    assertTrue(r1.get("results").get(0).get("metrics").has("CIDEr"), "evaluated at the stop: " + r1);

    // The process that stopped at 3 may die right after writing that checkpoint (a sweep trial):
    // the same command again has nothing left to train, so it evaluates the checkpoint, as
    // --workers 0 does, without starting a cluster.
    Result again = train(parts, "--workers", "2", "--deterministic", "--micro-batch-size", "2", "--resume",
        "--stop-at", "3");
    assertEquals(ExitCodes.OK, again.code(), again.err() + again.out());
    JsonNode rAgain = report(parts);
    assertEquals(3, rAgain.get("resumed_step").asInt(), rAgain.toString());
    assertEquals(3, rAgain.get("steps_done").asInt(), rAgain.toString());
    assertEquals(0, rAgain.get("steps_run").asInt(), rAgain.toString());
    assertEquals(0, rAgain.get("worker_logs").size(), "no worker started: " + rAgain);
    assertEquals(r1.get("params_sha256").asText(), rAgain.get("params_sha256").asText());
    assertEquals(r1.get("results").get(0).get("metrics"), rAgain.get("results").get(0).get("metrics"),
        "the same parameters evaluate the same");
    assertTrue(rAgain.get("last_checkpoint").asText().endsWith("step-00000003"), rAgain.toString());
    // A checkpoint past the stop is refused, as --workers 0 refuses it.
    Result past = train(parts, "--workers", "2", "--deterministic", "--micro-batch-size", "2", "--resume",
        "--stop-at", "2");
    assertEquals(ExitCodes.USAGE_ERROR, past.code(), past.err() + past.out());
    assertTrue(past.err().contains("past step 2"), past.err());

    Result b2 = train(parts, "--workers", "2", "--deterministic", "--micro-batch-size", "2", "--resume");
    assertEquals(ExitCodes.OK, b2.code(), b2.err() + b2.out());
    JsonNode r2 = report(parts);
    assertEquals(3, r2.get("resumed_step").asInt(), r2.toString());
    assertEquals(3, r2.get("steps_run").asInt(), r2.toString());
    assertEquals(6, r2.get("steps_done").asInt(), r2.toString());
    assertEquals(List.of(4L, 6L), steps(r2.get("checkpoints")));
    assertEquals(0, r2.get("state_transfers").size(), "every worker loaded the checkpoint itself");
    assertEquals(ra.get("params_sha256").asText(), r2.get("params_sha256").asText(),
        "stopping at 3 and resuming ends where the run straight through ends");

    // The audit of both parts together is the audit of the run straight through: every planned
    // micro-batch trained once, none twice.
    List<StepAudit> whole = SampleAudit.read(straight.resolve("audit.jsonl"));
    List<StepAudit> joined = SampleAudit.read(parts.resolve("audit.jsonl"));
    assertEquals(6, whole.size());
    assertEquals(whole.stream().map(StepAudit::step).toList(), joined.stream().map(StepAudit::step).toList());
    for (int i = 0; i < whole.size(); i++) {
      assertEquals(whole.get(i).entries().stream().map(e -> e.microBatch() + ":" + e.sample()).toList(),
          joined.get(i).entries().stream().map(e -> e.microBatch() + ":" + e.sample()).toList(),
          "step " + i);
    }
    for (JsonNode epoch : r2.get("audit")) {
      assertEquals(0, epoch.get("duplicated").size(), r2.toString());
    }

    // Retention kept the newest 3 (checkpoint.keep's default); each passes `mmict checkpoints verify`.
    List<String> kept;
    try (var list = Files.list(parts.resolve("checkpoints"))) {
      kept = list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList();
    }
    assertEquals(List.of("step-00000003", "step-00000004", "step-00000006"), kept);
    Result verify = Cli.run(List.of("checkpoints", "verify", parts.resolve("checkpoints").toString()));
    assertEquals(ExitCodes.OK, verify.code(), verify.err() + verify.out());
  }

  private static List<Long> steps(JsonNode checkpoints) {
    List<Long> out = new ArrayList<>();
    for (JsonNode c : checkpoints) {
      assertEquals("written", c.get("outcome").asText(), c.toString());
      out.add(c.get("step").asLong());
    }
    return out;
  }

  /** A cluster checkpoint of step 3 whose plan has {@code seed} (its tensors never get loaded). */
  private static void fakeClusterCheckpoint(Path root, long seed) throws Exception {
    ReplicaState state = new ReplicaState(2, List.of(new ReplicaState.Tensor("query_tokens", new long[] {1},
        new float[] {1})), List.of(), 0);
    CheckpointRequest r = CheckpointRequest.newBuilder()
        .setCheckpointId("c1").setStepsDone(3).setEpoch(0).setPositionInEpoch(24)
        .setParameterSha256(ByteString.copyFrom(new byte[32])).setDirectory(root.toString()).setKeep(3)
        .setPlan(PlanShape.newBuilder().setSeed(seed).setGlobalBatchSize(8).setMicroBatchSize(2).setShots(2)
            .setStrategy("RANDOM"))
        .build();
    ClusterCheckpoints.write(state, r, new ClusterCheckpoints.Metadata("seed: " + seed + "\n", "ff".repeat(32)));
  }

  @Test
  @Timeout(120)
  void aClusterCheckpointOfAnotherSeedIsRefusedNamingTheKey() throws Exception {
    Path out = dir.resolve("other-seed");
    fakeClusterCheckpoint(out.resolve("checkpoints"), 12345);
    Result r = train(out, "--workers", "2", "--micro-batch-size", "2", "--resume");
    assertEquals(ExitCodes.CONFIG_ERROR, r.code(), r.err() + r.out());
    assertTrue(r.err().contains("seed is 12345 in the checkpoint but"), r.err());
  }

  @Test
  @Timeout(120)
  void eachTrainerRefusesTheOthersCheckpoints() throws Exception {
    Path clusterMade = dir.resolve("cluster-made");
    fakeClusterCheckpoint(clusterMade.resolve("checkpoints"), 12345);
    Result single = train(clusterMade, "--workers", "0", "--resume");
    assertEquals(ExitCodes.CONFIG_ERROR, single.code(), single.err() + single.out());
    assertTrue(single.err().contains("written by a cluster run"), single.err());

    Path singleMade = dir.resolve("single-made");
    var cursor = JsonNodeFactory.instance.objectNode().put("next_step", 3);
    var empty = JsonNodeFactory.instance.objectNode();
    new CheckpointStore(singleMade.resolve("checkpoints"), RetentionPolicy.lastN(3)).write(
        new CheckpointState(3, 0, cursor, empty, empty, "", "ff".repeat(32), Map.of()),
        Map.of("model.safetensors", target -> Files.write(target, new byte[] {1})));
    Result cluster = train(singleMade, "--workers", "2", "--resume");
    assertEquals(ExitCodes.CONFIG_ERROR, cluster.code(), cluster.err() + cluster.out());
    assertTrue(cluster.err().contains("single-process trainer"), cluster.err());
  }
}
