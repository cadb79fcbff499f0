package dev.mmict.worker.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@link TrainLoop} carries from one step to the next besides the parameters and the
 * optimizer: the next step, each source's cursor and the count of skipped updates in a row.
 * There is no random generator state to keep: every query order and demonstration draw is a
 * pure function of (seed, epoch, position), so a cursor is enough to reproduce them.
 *
 * @param nextStep the 0-based index of the next step to run (= steps completed)
 * @param sources one cursor per task source, in the order the loop was given them
 * @param skippedInARow consecutive updates skipped for non-finite gradients up to now
 */
public record LoopState(int nextStep, List<SourceCursor> sources, int skippedInARow) {

  /**
   * Where one source stands.
   *
   * @param dataset the source dataset's name (checked on restore)
   * @param epoch the epoch being read; -1 before the first draw
   * @param position the next index into the epoch's query order
   * @param drawn queries drawn over all epochs (the demonstration draw's step)
   * @param batches batches taken from this source (picks the next mode)
   */
  public record SourceCursor(String dataset, long epoch, int position, long drawn, int batches) {

    /** Checks the ranges. */
    public SourceCursor {
      if (dataset == null || dataset.isBlank()) {
        throw new IllegalArgumentException("a source cursor needs its dataset name");
      }
      if (epoch < -1 || position < 0 || drawn < 0 || batches < 0 || (epoch == -1 && (position != 0 || drawn != 0))) {
        throw new IllegalArgumentException("invalid cursor for " + dataset + ": epoch " + epoch + ", position "
            + position + ", drawn " + drawn + ", batches " + batches);
      }
    }
  }

  /** Checks the ranges and copies the list. */
  public LoopState {
    if (nextStep < 0 || skippedInARow < 0) {
      throw new IllegalArgumentException("invalid loop state: next step " + nextStep + ", skipped in a row "
          + skippedInARow);
    }
    sources = List.copyOf(sources);
  }

  /** The epoch the next step belongs to, by the first source (0 before any draw). */
  public long epoch() {
    return sources.isEmpty() ? 0 : Math.max(0, sources.get(0).epoch());
  }

  /** The state as a JSON object (the checkpoint manifest's {@code data_cursor}). */
  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("next_step", nextStep);
    root.put("skipped_in_a_row", skippedInARow);
    ArrayNode list = root.putArray("sources");
    for (SourceCursor c : sources) {
      ObjectNode o = list.addObject();
      o.put("dataset", c.dataset());
      o.put("epoch", c.epoch());
      o.put("position", c.position());
      o.put("drawn", c.drawn());
      o.put("batches", c.batches());
    }
    return root;
  }

  /**
   * Reads {@link #toJson()}'s form back.
   *
   * @throws IllegalArgumentException naming the key that is missing or of the wrong type
   */
  public static LoopState fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("data cursor: expected a JSON object");
    }
    JsonNode list = json.get("sources");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("data cursor: 'sources' must be an array");
    }
    List<SourceCursor> cursors = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode o = list.get(i);
      String where = "data cursor: sources[" + i + "].";
      JsonNode name = o.get("dataset");
      if (name == null || !name.isTextual()) {
        throw new IllegalArgumentException(where + "dataset must be a string");
      }
      cursors.add(new SourceCursor(name.asText(), integral(o, "epoch", where), (int) integral(o, "position", where),
          integral(o, "drawn", where), (int) integral(o, "batches", where)));
    }
    return new LoopState((int) integral(json, "next_step", "data cursor: "), cursors,
        (int) integral(json, "skipped_in_a_row", "data cursor: "));
  }

  private static long integral(JsonNode o, String key, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(where + key + " must be an integer");
    }
    return v.asLong();
  }
}
