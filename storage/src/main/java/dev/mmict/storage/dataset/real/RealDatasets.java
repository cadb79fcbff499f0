package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mmict.storage.dataset.task.TaskSpecException;
import dev.mmict.storage.dataset.task.YamlLocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Opens real datasets: from a task YAML whose {@code source} is one of {@link RealSource} (what
 * {@code Datasets.open("my-coco.yaml")} does for such a file), or from a loaded {@link
 * RealTaskSpec}. Mistakes in the YAML fail with a {@link TaskSpecException} naming file, line
 * and key, like the generated tasks' files.
 */
public final class RealDatasets {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(new YAMLFactory())
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // "annotations: file.json" and "annotations: [a.json, b.json]" both read as a list.
          .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private RealDatasets() {}

  /**
   * Whether {@code yaml} is a real-dataset task file: it parses and its top-level {@code source}
   * names a {@link RealSource}. Unreadable or unparsable files answer false (the generated-task
   * loader then reports the problem).
   */
  public static boolean isRealTaskFile(Path yaml) {
    try {
      JsonNode root = MAPPER.readTree(Files.readString(yaml, StandardCharsets.UTF_8));
      JsonNode source = root == null ? null : root.get("source");
      return source != null && source.isTextual() && RealSource.find(source.textValue()) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** The dataset of the real-dataset task file {@code yaml}. */
  public static RealDataset open(Path yaml) {
    return open(load(yaml));
  }

  /** The dataset {@code spec} describes; reads the annotation files and checks the pictures. */
  public static RealDataset open(RealTaskSpec spec) {
    SourceConfig config = spec.config();
    ReaderOptions options = spec.options();
    String name = spec.name();
    if (config instanceof CocoCaptionsConfig c) {
      return CocoCaptionsReader.open(name, c, options);
    } else if (config instanceof KarpathyConfig c) {
      return KarpathyReader.open(name, c, options);
    } else if (config instanceof VqaV2Config c) {
      return VqaV2Reader.open(name, c, options);
    } else if (config instanceof MsrvttConfig c) {
      return MsrvttReader.open(name, c, options);
    } else if (config instanceof MsvdConfig c) {
      return MsvdReader.open(name, c, options);
    } else if (config instanceof VideoQaConfig c) {
      return VideoQaReader.open(name, spec.source().word(), c, options);
    }
    throw new IllegalStateException("unhandled source config " + config);
  }

  /** The task in {@code yaml}; relative paths in it are relative to its folder (or root). */
  public static RealTaskSpec load(Path yaml) {
    String text;
    try {
      text = Files.readString(yaml, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("Task file " + yaml.toAbsolutePath() + " does not exist",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read task file " + yaml.toAbsolutePath(), e);
    }
    String name = yaml.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    Path dir = yaml.toAbsolutePath().getParent();
    return parse(name, text, dir, yaml.toString());
  }

  /**
   * Parses and validates task YAML text.
   *
   * @param name the task's name
   * @param yaml the definition
   * @param baseDir the folder relative paths start from (unless the file sets {@code root})
   * @param source where the text came from, for error messages
   */
  public static RealTaskSpec parse(String name, String yaml, Path baseDir, String source) {
    RealTaskFile file;
    try {
      file = MAPPER.readValue(yaml, RealTaskFile.class);
    } catch (JsonMappingException e) {
      throw mappingError(source, yaml, e);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new TaskSpecException(source, null, line, "not valid YAML: " + e.getOriginalMessage(),
          e);
    }
    if (file == null) {
      throw new TaskSpecException(source, null, -1, "the file is empty", null);
    }
    return new RealTaskResolver(source, yaml, baseDir).resolve(name, file);
  }

  private static TaskSpecException mappingError(
      String source, String yaml, JsonMappingException e) {
    List<Object> path = new ArrayList<>();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.add(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.add(ref.getIndex());
      }
    }
    int line = path.isEmpty() ? -1 : YamlLocator.line(yaml, path);
    if (line < 0 && e.getLocation() != null) {
      line = e.getLocation().getLineNr();
    }
    String problem = e.getOriginalMessage();
    if (e instanceof UnrecognizedPropertyException u) {
      TreeSet<String> known = new TreeSet<>();
      if (u.getKnownPropertyIds() != null) {
        u.getKnownPropertyIds().forEach(k -> known.add(k.toString()));
      }
      problem = "unknown key '" + u.getPropertyName() + "'; known keys here: " + known;
    }
    return new TaskSpecException(source, YamlLocator.dotted(path), line, problem, e);
  }
}
