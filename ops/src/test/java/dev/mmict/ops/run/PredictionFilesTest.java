package dev.mmict.ops.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.worker.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionFilesTest {

  @TempDir
  Path dir;

  private static ResultRow row(String task, String mode, boolean demos) {
    return new ResultRow(task, mode, demos, Map.of("accuracy", 0.5), 2, 1.0, 0.1);
  }

  @Test
  void eachEvaluationGetsItsOwnFileWithOneLinePerQuery() throws Exception {
    Evaluator.Prediction right = new Evaluator.Prediction("q1", "dax.", List.of("dax"),
        new LinkedHashSet<>(List.of("dax", "blicket")), true);
    Evaluator.Prediction invented = new Evaluator.Prediction("q2", "wug", List.of("blicket"),
        new LinkedHashSet<>(List.of("dax", "blicket")), false);
    Evaluator.Prediction caption = new Evaluator.Prediction("c1", "a red square", List.of("a red square", "red box"),
        Set.of(), null);

    List<Path> files = PredictionFiles.write(dir.resolve("predictions"), List.of(
        new PredictionFiles.Evaluation(row("shapes-fastbinding", "MMICT", true), List.of(right, invented)),
        new PredictionFiles.Evaluation(row("shapes-fastbinding", "MMICT", false), List.of(invented)),
        new PredictionFiles.Evaluation(row("shapes-caption", "VanillaFT", false), List.of(caption))));

    assertEquals(List.of("shapes-fastbinding-mmict.jsonl", "shapes-fastbinding-mmict-no-demos.jsonl",
        "shapes-caption-vanillaft.jsonl"), files.stream().map(f -> f.getFileName().toString()).toList());
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(files.get(0));
    assertEquals(2, lines.size());
    JsonNode first = json.readTree(lines.get(0));
    assertEquals("q1", first.get("id").asText());
    assertEquals("dax.", first.get("prediction").asText());
    assertTrue(first.get("copied").asBoolean(), "'dax.' normalises to a name of the dialog");
    assertTrue(first.get("shared_colour").asBoolean());
    JsonNode second = json.readTree(lines.get(1));
    assertFalse(second.get("copied").asBoolean(), "'wug' is not a name of the dialog");
    assertEquals(List.of("dax", "blicket"), json.convertValue(second.get("names"), List.class));
    JsonNode cap = json.readTree(Files.readAllLines(files.get(2)).get(0));
    assertFalse(cap.has("names"), "a caption has no dialog names");
    assertFalse(cap.has("shared_colour"));
    assertEquals(2, cap.get("references").size());
    try (var left = Files.list(dir.resolve("predictions"))) {
      assertTrue(left.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file is left behind");
    }
  }

  @Test
  void noEvaluationWritesNothing() throws Exception {
    assertTrue(PredictionFiles.write(dir.resolve("predictions"), List.of()).isEmpty());
    assertFalse(Files.exists(dir.resolve("predictions")));
  }
}
