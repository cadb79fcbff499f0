package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Streams the big arrays of annotation files (VQAv2's training annotations are 300 MB) one
 * element at a time, each element a small tree with the line it starts on, so that an index can
 * be built without holding the whole document. Malformed JSON fails with line and column.
 */
final class JsonInput {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private JsonInput() {}

  /**
   * One element of a streamed array or object.
   *
   * @param array the array's (or object's) name, for messages: "annotations"
   * @param index 0-based position
   * @param key the key for an object entry, else null
   * @param line 1-based line where the element starts
   * @param node the element
   */
  record Element(String array, int index, String key, int line, JsonNode node) {

    /** "annotations[17] (line 40)". */
    String label() {
      return label(null);
    }

    /** "annotations[17] (line 40, image_id 391895)"; {@code extra} may be null. */
    String label(String extra) {
      String where = key != null ? array + "['" + key + "']" : array + "[" + index + "]";
      return where + " (line " + line + (extra == null ? "" : ", " + extra) + ")";
    }
  }

  /**
   * Reads a top-level object: each field named in {@code arrays} must hold an array, whose
   * elements go to its handler; other fields with scalar values go to {@code scalars}, others
   * are skipped.
   *
   * @throws DatasetFormatException when the file is missing, malformed, or lacks one of the
   *     arrays
   */
  static void objectArrays(
      Path file, Map<String, Consumer<Element>> arrays, BiConsumer<String, JsonNode> scalars) {
    Set<String> seen = new HashSet<>();
    try (JsonParser p = open(file)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, file, "a JSON object at the top level");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        Consumer<Element> handler = arrays.get(field);
        if (handler != null) {
          expect(p, value, JsonToken.START_ARRAY, file, "'" + field + "' to be an array");
          seen.add(field);
          elements(p, field, handler);
        } else if (value.isScalarValue()) {
          scalars.accept(field, MAPPER.readTree(p));
        } else {
          p.skipChildren();
        }
      }
      trailing(p, file);
    } catch (IOException e) {
      throw ioError(file, e);
    }
    for (String field : arrays.keySet()) {
      if (!seen.contains(field)) {
        throw new DatasetFormatException(null, file.toString(), null,
            "no '" + field + "' array at the top level (is this the right file?)", null);
      }
    }
  }

  /** Reads a top-level array; {@code name} labels its elements in messages. */
  static void array(Path file, String name, Consumer<Element> handler) {
    try (JsonParser p = open(file)) {
      expect(p, p.nextToken(), JsonToken.START_ARRAY, file, "a JSON array at the top level");
      elements(p, name, handler);
      trailing(p, file);
    } catch (IOException e) {
      throw ioError(file, e);
    }
  }

  /** Reads a top-level object entry by entry ({@code key} set in each element). */
  static void objectEntries(Path file, String name, Consumer<Element> handler) {
    try (JsonParser p = open(file)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, file, "a JSON object at the top level");
      int index = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        int line = p.currentTokenLocation().getLineNr();
        JsonNode node = MAPPER.readTree(p);
        handler.accept(new Element(name, index++, key, line, node));
      }
      trailing(p, file);
    } catch (IOException e) {
      throw ioError(file, e);
    }
  }

  private static void elements(JsonParser p, String name, Consumer<Element> handler)
      throws IOException {
    int index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      int line = p.currentTokenLocation().getLineNr();
      JsonNode node = MAPPER.readTree(p);
      handler.accept(new Element(name, index++, null, line, node));
    }
  }

  private static JsonParser open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFormatException(null, file.toString(), null, "no such file", null);
    }
    return FACTORY.createParser(file.toFile());
  }

  private static void expect(JsonParser p, JsonToken got, JsonToken wanted, Path file,
      String what) {
    if (got != wanted) {
      JsonLocation at = p.currentTokenLocation();
      throw new DatasetFormatException(null, file.toString(), null,
          "expected " + what + " at line " + at.getLineNr() + ", column " + at.getColumnNr()
              + ", found " + (got == null ? "the end of the file" : got.asString() == null
                  ? got.name() : "'" + got.asString() + "'"), null);
    }
  }

  private static void trailing(JsonParser p, Path file) throws IOException {
    JsonToken extra = p.nextToken();
    if (extra != null) {
      JsonLocation at = p.currentTokenLocation();
      throw new DatasetFormatException(null, file.toString(), null,
          "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr()
              + ": content after the end of the top-level value", null);
    }
  }

  private static DatasetFormatException ioError(Path file, IOException e) {
    if (e instanceof JsonProcessingException j) {
      JsonLocation at = j.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return new DatasetFormatException(null, file.toString(), null,
          "malformed JSON" + where + ": " + j.getOriginalMessage(), e);
    }
    return new DatasetFormatException(null, file.toString(), null, "cannot read: " + e, e);
  }
}
