package dev.mmict.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every key of {@link RunConfig} with its default, and nothing else. */
class ConfigReferenceTest {

  @Test
  void everyKeyIsDocumentedWithItsDefault() throws Exception {
    Path doc = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "docs", "configuration.md");
    if (!Files.exists(doc)) {
      doc = Path.of("..", "docs", "configuration.md");
    }
    Map<String, String> rows = Files.readAllLines(doc).stream()
        .filter(l -> l.startsWith("| `"))
        .map(l -> l.split("\\|"))
        .collect(Collectors.toMap(c -> c[1].trim().replace("`", ""), c -> c[2].trim().replace("`", ""),
            (a, b) -> { throw new IllegalStateException("key listed twice: " + a); }, java.util.LinkedHashMap::new));
    List<String> keys = new ArrayList<>();
    walk("", RunConfig.defaults(), keys, rows);
    assertEquals(rows.keySet().stream().sorted().toList(), keys.stream().sorted().toList(),
        "docs/configuration.md and RunConfig list different keys");
  }

  private static void walk(String prefix, Record value, List<String> keys, Map<String, String> rows) throws Exception {
    for (RecordComponent c : value.getClass().getRecordComponents()) {
      Object v = c.getAccessor().invoke(value);
      String key = prefix + c.getName();
      if (v instanceof Record r) {
        walk(key + ".", r, keys, rows);
      } else {
        keys.add(key);
        String documented = rows.get(key);
        assertTrue(documented != null, "undocumented key " + key);
        assertEquals(render(v), documented, "documented default of " + key);
      }
    }
  }

  private static String render(Object v) {
    if (v instanceof List<?> list) {
      return list.stream().map(ConfigReferenceTest::render).collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(v);
  }
}
