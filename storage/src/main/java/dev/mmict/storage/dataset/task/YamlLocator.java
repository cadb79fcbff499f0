package dev.mmict.storage.dataset.task;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.List;

/**
 * Finds the line of a key in YAML text, so that errors found after binding (out-of-range values,
 * pools that overlap) can point at a line as parse errors do. Public for the real-dataset task
 * files of {@code dev.mmict.storage.dataset.real}.
 */
public final class YamlLocator {

  private static final YAMLFactory FACTORY = new YAMLFactory();

  private YamlLocator() {}

  /**
   * The 1-based line where {@code path} (field names and list indices) appears, else the line of
   * its longest present prefix, else -1.
   */
  public static int line(String yaml, List<Object> path) {
    for (int n = path.size(); n > 0; n--) {
      int line = exactLine(yaml, pointer(path.subList(0, n)));
      if (line > 0) {
        return line;
      }
    }
    return -1;
  }

  /** The path as "a.b[2].c". */
  public static String dotted(List<Object> path) {
    StringBuilder sb = new StringBuilder();
    for (Object part : path) {
      if (part instanceof Integer i) {
        sb.append('[').append(i).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(part);
      }
    }
    return sb.toString();
  }

  private static JsonPointer pointer(List<Object> path) {
    JsonPointer p = JsonPointer.empty();
    for (Object part : path) {
      p = part instanceof Integer i ? p.appendIndex(i) : p.appendProperty(part.toString());
    }
    return p;
  }

  private static int exactLine(String yaml, JsonPointer target) {
    try (JsonParser parser = FACTORY.createParser(yaml)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        boolean candidate = token == JsonToken.FIELD_NAME || !parser.getParsingContext().inObject();
        if (candidate && target.equals(parser.getParsingContext().pathAsPointer())) {
          return parser.currentTokenLocation().getLineNr();
        }
      }
    } catch (IOException e) {
      // The text already parsed once; a failure here only costs the line number.
      return -1;
    }
    return -1;
  }
}
