package dev.mmict.ops.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.worker.train.Evaluator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every evaluated query's generated answer, kept per evaluation as JSON lines under the run
 * directory's {@code predictions/} ({@code <task>-<mode>[-no-demos].jsonl}: id, prediction,
 * references, and for fast binding the dialog's names and whether its objects share a colour),
 * so that a table's figure can be traced back to the answers behind it.
 */
final class PredictionFiles {

  private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

  /** One evaluation's predictions, as the results table names it. */
  record Evaluation(ResultRow row, List<Evaluator.Prediction> predictions) { }

  private PredictionFiles() { }

  /**
   * The file name of an evaluation, unique per task, mode and demonstrations setting (VanillaFT
   * never has demonstrations, so its one evaluation carries no suffix).
   */
  static String fileName(ResultRow row) {
    String base = (row.task() + "-" + row.mode()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
    return base + (row.demos() || row.mode().equals(Mode.VANILLA_FT.label()) ? "" : "-no-demos") + ".jsonl";
  }

  /**
   * Writes each evaluation's file into {@code dir} (created when missing); each file is written
   * to a temporary name and moved into place, so a reader never sees half a file.
   *
   * @return the files written, in the order of {@code evaluations}
   */
  static List<Path> write(Path dir, List<Evaluation> evaluations) throws IOException {
    List<Path> files = new ArrayList<>();
    if (evaluations.isEmpty()) {
      return files;
    }
    Files.createDirectories(dir);
    for (Evaluation e : evaluations) {
      Path file = dir.resolve(fileName(e.row()));
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (Evaluator.Prediction p : e.predictions()) {
          w.write(JSON.writeValueAsString(line(p)));
          w.newLine();
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      files.add(file);
    }
    return files;
  }

  private static Map<String, Object> line(Evaluator.Prediction p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("prediction", p.prediction());
    m.put("references", p.references());
    if (p.names() != null && !p.names().isEmpty()) {
      m.put("names", p.names());
      m.put("copied", p.copied());
    }
    if (p.sharedColour() != null) {
      m.put("shared_colour", p.sharedColour());
    }
    return m;
  }
}
