package dev.mmict.ops.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.Cli;
import dev.mmict.ops.Cli.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.report.PngAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real commands end to end on a very small model: pretrain a backbone, run the demo on it,
 * and check the report a user gets.
 */
class LocalOperationsTest {
  private static final List<String> TINY = List.of(
      "--set", "model.visionWidth=32", "--set", "model.visionLayers=1", "--set", "model.visionHeads=2",
      "--set", "model.mhubWidth=32", "--set", "model.mhubLayers=1", "--set", "model.mhubHeads=2",
      "--set", "model.mhubIntermediate=64", "--set", "model.queryTokens=4",
      "--set", "model.llmWidth=32", "--set", "model.llmLayers=1", "--set", "model.llmHeads=2",
      "--set", "model.llmFfn=64");

  @TempDir
  Path dir;

  private Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(TINY);
    return Cli.run(all);
  }

  @Test
  void pretrainThenDemoWritesTheReportPerTaskAndMode() throws Exception {
    Path pre = dir.resolve("pre");
    Result p = run("pretrain", "--out", pre.toString(), "--report", dir.resolve("pre.json").toString(),
        "--set", "pretrain.steps=4", "--set", "pretrain.warmupSteps=1", "--set", "pretrain.batchSize=4",
        "--set", "pretrain.vocabularySamples=200", "--set", "pretrain.textSteps=3", "--set", "pretrain.textBatchSize=4",
        "--set", "pretrain.binding.hubSteps=2", "--set", "pretrain.binding.jointSteps=2",
        "--set", "pretrain.binding.mixSteps=2");
    assertEquals(ExitCodes.OK, p.code(), p.err());
    Path backbone = pre.resolve("backbone");
    assertTrue(Files.isRegularFile(backbone.resolve("model.safetensors")));
    // The text stage ran first and left its held-out copy accuracy in the backbone's metadata; the
    // binding stages ran last and left the held-out binding retrieval.
    dev.mmict.hub.io.SafetensorsFile pretrained = dev.mmict.hub.io.Safetensors.read(backbone.resolve("model.safetensors"));
    java.util.Map<String, String> meta = pretrained.metadata();
    assertEquals("3", meta.get("mmict.pretrain.text_steps"), meta.toString());
    double copy = Double.parseDouble(meta.get("mmict.pretrain.text_copy_accuracy"));
    assertTrue(copy >= 0 && copy <= 1, "copy accuracy " + copy);
    assertEquals("2", meta.get("mmict.pretrain.binding_hub_steps"), meta.toString());
    assertEquals("2", meta.get("mmict.pretrain.binding_joint_steps"), meta.toString());
    assertEquals("2", meta.get("mmict.pretrain.mix_steps"), meta.toString());
    assertEquals("constant", meta.get("mmict.pretrain.binding_schedule"), meta.toString());
    double retrieval = Double.parseDouble(meta.get("mmict.pretrain.binding_retrieval"));
    double retrievalChance = Double.parseDouble(meta.get("mmict.pretrain.binding_retrieval_chance"));
    assertTrue(retrieval >= 0 && retrieval <= 1 && retrievalChance >= 0.2 && retrievalChance <= 0.5, meta.toString());

    // Continuing from that backbone with only the hub binding stage moves the M-Hub side and
    // nothing of the LLM or the vision encoder, and keeps the record of how the start was made.
    Path more = dir.resolve("more");
    Result c = run("pretrain", "--out", more.toString(), "--set", "pretrain.init=" + backbone,
        "--set", "pretrain.textSteps=0", "--set", "pretrain.steps=0", "--set", "pretrain.warmupSteps=1",
        "--set", "pretrain.batchSize=4", "--set", "pretrain.binding.hubSteps=3", "--set", "pretrain.binding.jointSteps=0",
        "--set", "pretrain.binding.mixSteps=0");
    assertEquals(ExitCodes.OK, c.code(), c.err());
    dev.mmict.hub.io.SafetensorsFile continued = dev.mmict.hub.io.Safetensors.read(
        more.resolve("backbone/model.safetensors"));
    assertEquals(pretrained.names(), continued.names());
    int hubChanged = 0;
    for (String name : pretrained.names()) {
      boolean same = java.util.Arrays.equals(pretrained.floats(name), continued.floats(name));
      if (name.startsWith("opt_model.") || name.startsWith("visual_encoder.")) {
        assertTrue(same, name + " changed in the hub binding stage");
      } else {
        hubChanged += same ? 0 : 1;
      }
    }
    assertTrue(hubChanged > 5, "only " + hubChanged + " M-Hub-side tensors changed");
    java.util.Map<String, String> cmeta = continued.metadata();
    assertEquals(backbone.toString(), cmeta.get("mmict.pretrain.init"), cmeta.toString());
    assertEquals(meta.get("mmict.pretrain.text_copy_accuracy"), cmeta.get("mmict.pretrain.text_copy_accuracy"));
    assertEquals("3", cmeta.get("mmict.pretrain.binding_hub_steps"), cmeta.toString());
    // A continuation of the continuation keeps both starts on record, oldest first.
    Path again = dir.resolve("again");
    Result a = run("pretrain", "--out", again.toString(), "--set", "pretrain.init=" + more.resolve("backbone"),
        "--set", "pretrain.textSteps=0", "--set", "pretrain.steps=0", "--set", "pretrain.warmupSteps=1",
        "--set", "pretrain.batchSize=4", "--set", "pretrain.binding.hubSteps=0", "--set", "pretrain.binding.jointSteps=0",
        "--set", "pretrain.binding.mixSteps=1");
    assertEquals(ExitCodes.OK, a.code(), a.err());
    java.util.Map<String, String> ameta = dev.mmict.hub.io.Safetensors.read(again.resolve("backbone/model.safetensors"))
        .metadata();
    assertEquals(backbone + " | " + more.resolve("backbone"), ameta.get("mmict.pretrain.init"), ameta.toString());
    assertEquals("1", ameta.get("mmict.pretrain.mix_steps"), ameta.toString());

    Path report = dir.resolve("demo.json");
    List<String> demoArgs = new ArrayList<>(List.of("demo", "--out", dir.resolve("demo").toString(),
        "--report", report.toString(),
        "--set", "model.backbone=" + backbone, "--set", "trainer.steps=2", "--set", "trainer.warmupSteps=1",
        "--set", "trainer.batchSize=4", "--set", "eval.samples=6", "--set", "eval.maxNewTokens=4"));
    demoArgs.addAll(TINY);
    // Every committed step of every cluster fine-tuning reaches the progress display and metrics.
    List<String> stepped = java.util.Collections.synchronizedList(new ArrayList<>());
    Result d = Cli.run(demoArgs, new RunObserver() {
      @Override
      public void stepped(String label, int step, int total) {
        stepped.add(label + " " + step + "/" + total);
      }
    });
    assertEquals(ExitCodes.OK, d.code(), d.err());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    JsonNode results = json.get("results");
    // 2 tasks × 3 modes, plus MMICT without demonstrations for each task.
    assertEquals(8, results.size());
    java.util.Map<String, Double> valLoss = new java.util.HashMap<>();
    for (JsonNode r : results) {
      assertEquals(6, r.get("samples").asInt());
      // Each row (evaluated here after its cluster fine-tuning) has its held-out loss beside the generation metrics.
      double held = r.get("metrics").get("val_loss").asDouble();
      assertTrue(Double.isFinite(held) && held > 0, "val_loss " + r);
      valLoss.put(r.get("task").asText() + " " + r.get("mode").asText() + " " + r.get("demos").asBoolean(), held);
      assertTrue(List.of("MMICT", "VanillaICT", "VanillaFT").contains(r.get("mode").asText()));
      if (r.get("task").asText().equals("shapes-fastbinding")) {
        for (String k : List.of("accuracy", "chance", "copy_rate")) {
          double v = r.get("metrics").get(k).asDouble();
          assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        assertTrue(r.get("metrics").get("chance").asDouble() >= 0.2, "2-5 ways: chance >= 0.2");
      } else {
        assertTrue(r.get("metrics").has("CIDEr"));
        assertTrue(r.get("metrics").has("BLEU-4"));
      }
    }
    // The MMICT row without demonstrations evaluates the same parameters on dialogs without them.
    for (String task : List.of("shapes-caption", "shapes-fastbinding")) {
      assertNotEquals(valLoss.get(task + " MMICT true"), valLoss.get(task + " MMICT false"), valLoss.toString());
    }
    // Each fine-tuning ran on a local cluster of 2 worker JVMs (the default): its audit holds every step.
    assertEquals(2, json.get("workers").asInt());
    List<String> expected = new ArrayList<>();
    for (String task : List.of("shapes-caption", "shapes-fastbinding")) {
      for (String mode : List.of("MMICT", "VanillaICT", "VanillaFT")) {
        expected.add(task + " " + mode + " 0/2");
        expected.add(task + " " + mode + " 1/2");
      }
    }
    assertEquals(expected, stepped);
    for (String task : List.of("shapes-caption", "shapes-fastbinding")) {
      for (String mode : List.of("mmict", "vanillaict", "vanillaft")) {
        Path run = dir.resolve("demo/runs/" + task + "-" + mode);
        assertEquals(2, Files.readAllLines(run.resolve("audit.jsonl")).size(), run.toString());
        assertTrue(Files.isRegularFile(run.resolve("workers/worker-2.log")), run.toString());
      }
    }
    assertTrue(json.get("parameters").get("trainable").asLong() > 0);
    assertTrue(json.get("parameters").get("frozen").asLong() > json.get("parameters").get("trainable").asLong());
    assertTrue(d.out().contains("| shapes-fastbinding | VanillaFT"), d.out());
    assertTrue(Files.readString(dir.resolve("demo/results.md")).contains("copy_rate"));
    // The report directory's plots: a loss curve per (task, mode) and the main metric per task × mode.
    for (String task : List.of("shapes-caption", "shapes-fastbinding")) {
      for (String mode : List.of("mmict", "vanillaict", "vanillaft")) {
        PngAssert.assertPng(dir.resolve("demo/curves/loss-" + task + "-" + mode + ".png"));
      }
    }
    PngAssert.assertPng(dir.resolve("demo/main-metric.png"));
    assertEquals(7, json.get("plots").size(), json.get("plots").toString());
    // Every evaluation's answers, one line per evaluated query, as the table counted them.
    assertEquals(8, json.get("predictions").size(), json.get("predictions").toString());
    for (JsonNode file : json.get("predictions")) {
      assertEquals(6, Files.readAllLines(Path.of(file.asText())).size(), file.asText());
    }
    assertTrue(Files.isRegularFile(dir.resolve("demo/predictions/shapes-fastbinding-mmict-no-demos.jsonl")));
    PngAssert.assertPng(pre.resolve("loss.png")); // pretraining's loss curve
  }

  @Test
  void aMissingBackboneIsADataError() {
    Result r = run("train", "--out", dir.resolve("t").toString(), "--set", "model.backbone=" + dir.resolve("none"));
    assertEquals(ExitCodes.DATA_ERROR, r.code());
    assertTrue(r.err().contains("no backbone at"), r.err());
  }

  @Test
  void anUnknownTaskIsADataError() {
    Result r = run("train", "--out", dir.resolve("t").toString(), "--set", "data.task=no-such-task");
    assertEquals(ExitCodes.DATA_ERROR, r.code());
    assertTrue(r.err().contains("no-such-task"), r.err());
  }
}
