package dev.mmict.ops.cluster;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.worker.cluster.ParameterVector;
import java.nio.file.Files;
import java.util.HexFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.ops.ExitCodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clusters on loopback: the coordinator in this JVM and worker JVMs started by {@code mmict
 * train --workers N}, training the shipped tiny backbone for a few steps. Kills, restarts, joins,
 * SIGTERM, refusals and corrupted chunks: {@link ElasticClusterTest}.
 */
class EmbeddedClusterTest {

  @TempDir
  Path dir;

  private Result train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--out", out.toString(),
        "--report", out.resolve("report.json").toString(), "--timeout", "150",
        "--set", "model.backbone=../models/backbone-tiny", "--set", "data.task=shapes-caption",
        "--set", "trainer.batchSize=8", "--set", "trainer.warmupSteps=0", "--set", "trainer.lr=3e-3",
        "--set", "eval.samples=8"));
    args.addAll(List.of(extra));
    return Cli.run(args);
  }

  @Test
  @Timeout(170)
  void twoWorkerJvmsTrainWithEqualChecksumsAndTheAuditShowsWhoTrainedWhat() throws Exception {
    Path out = dir.resolve("two");
    Result r = train(out, "--workers", "2", "--deterministic", "--max-steps", "3", "--micro-batch-size", "2");
    assertEquals(ExitCodes.OK, r.code(), r.err() + r.out());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertTrue(report.get("completed").asBoolean(), report.toString());
    assertEquals(3, report.get("steps_run").asInt());
    assertEquals(0, report.get("steps_aborted").asInt());
    assertEquals(0, report.get("aborted_attempts").size(), report.toString());
    assertEquals(0, report.get("state_transfers").size(), "nobody joined mid-run");
    assertEquals(64, report.get("params_sha256").asText().length(), "every replica agreed on one checksum");
    assertEquals(3, report.get("losses").size());
    for (JsonNode loss : report.get("losses")) {
      assertTrue(loss.asDouble() > 0 && Double.isFinite(loss.asDouble()), report.toString());
    }
    assertEquals(Set.of("worker-1", "worker-2"), fieldNames(report.get("worker_process_ids")));
    List<StepAudit> audit = SampleAudit.read(out.resolve("audit.jsonl"));
    assertEquals(3, audit.size());
    Set<Integer> seen = new HashSet<>();
    for (StepAudit step : audit) {
      assertEquals(4, step.microBatches().size(), "8 queries in micro-batches of 2");
      // balanced: each worker trained two of the four micro-batches
      assertEquals(List.of("worker-1", "worker-1", "worker-2", "worker-2"),
          step.microBatches().stream().map(m -> m.worker()).toList());
      step.entries().forEach(e -> assertTrue(seen.add(e.sample()), "sample " + e.sample() + " trained twice"));
    }
    for (JsonNode epoch : report.get("audit")) {
      assertEquals(0, epoch.get("duplicated").size(), report.toString());
    }
    assertTrue(r.out().contains("trained on 2 workers: 3 steps"), r.out());

    // The tuned model comes back from the cluster: evaluated, saved, and exactly what the
    // replicas agreed on (the loader checks the checksum; here it is read back once more).
    JsonNode row = report.get("results").get(0);
    assertEquals("shapes-caption", row.get("task").asText(), report.toString());
    assertEquals(8, row.get("samples").asInt());
    assertTrue(row.get("metrics").has("CIDEr"), row.toString());
    Path model = out.resolve("model");
    assertTrue(Files.isRegularFile(model.resolve("model.safetensors")), "saved model in " + model);
    assertEquals(report.get("params_sha256").asText(),
        Safetensors.read(model.resolve("model.safetensors")).metadata().get("mmict.params_sha256"));
    try (NDManager m = NDManager.newBaseManager()) {
      ModelStore.Loaded loaded = ModelStore.load(model, m, 0);
      try (MmictModel tuned = loaded.model()) {
        tuned.setTrainable(MmictModel.FINETUNED);
        assertEquals(report.get("params_sha256").asText(),
            HexFormat.of().formatHex(new ParameterVector(tuned.params()).sha256()));
      }
    }
    for (String w : List.of("worker-1", "worker-2")) {
      assertEquals(0, report.get("worker_exit_codes").get(w).asInt(), w + " did not stop by itself: " + report);
    }
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aNegativeWorkerCountIsAUsageError() {
    Result r = train(dir.resolve("negative"), "--workers", "-1");
    assertEquals(ExitCodes.USAGE_ERROR, r.code(), r.err());
    assertTrue(r.err().contains("--workers must be 0 (in this process) or more, got -1"), r.err());
  }
}
