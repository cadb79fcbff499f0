package dev.mmict.storage.dataset.task;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads task definitions: a built-in one by name ({@code Tasks.load("shapes-fastbinding")}), or
 * a user's YAML file by path. Unknown keys, wrong types and out-of-range values fail with a
 * {@link TaskSpecException} naming the file, key and line.
 */
public final class Tasks {

  /** The tasks shipped under {@code dev/mmict/storage/tasks/} on the classpath. */
  public static final List<String> BUILT_IN =
      List.of(
          "shapes-caption",
          "shapes-vqa",
          "shapes-video-caption",
          "shapes-fastbinding",
          "shapes-pretrain-caption",
          "shapes-pretrain-vqa",
          "shapes-pretrain-binding",
          "shapes-pretrain-binding-rich",
          "fmnist-caption",
          "fmnist-vqa",
          "fmnist-fastbinding",
          "fmnist-pretrain-caption",
          "fmnist-pretrain-binding");

  private static final String RESOURCE_DIR = "/dev/mmict/storage/tasks/";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(new YAMLFactory())
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private Tasks() {}

  /**
   * A built-in task by name, or, if {@code nameOrPath} ends in ".yaml"/".yml" or names an
   * existing file, that file.
   */
  public static TaskSpec load(String nameOrPath) {
    Path path = Path.of(nameOrPath);
    if (nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml") || Files.isRegularFile(path)) {
      return loadFile(path);
    }
    String resource = RESOURCE_DIR + nameOrPath + ".yaml";
    try (InputStream in = Tasks.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "Unknown task '" + nameOrPath + "': not a built-in task (" + String.join(", ", BUILT_IN)
                + ") and not a YAML file");
      }
      return parse(nameOrPath, new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "classpath:" + resource.substring(1));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read built-in task " + resource, e);
    }
  }

  /** The task in {@code file}; its name is the file name without the extension. */
  public static TaskSpec loadFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("Task file " + file.toAbsolutePath() + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read task file " + file.toAbsolutePath(), e);
    }
    String fileName = file.getFileName().toString();
    String name = fileName.replaceFirst("\\.ya?ml$", "");
    return parse(name, text, file.toString());
  }

  /**
   * Every name listed in the {@code names.train} / {@code names.eval} pools of the built-in
   * tasks (read as plain YAML, without resolving them). Generated names avoid these, so no
   * downstream name can turn up in a pretraining pool.
   */
  static synchronized Set<String> listedNames() {
    if (listedNames == null) {
      Set<String> names = new TreeSet<>();
      for (String task : BUILT_IN) {
        try (InputStream in = Tasks.class.getResourceAsStream(RESOURCE_DIR + task + ".yaml")) {
          if (in == null) {
            throw new IllegalStateException("built-in task " + task + " is missing from the class path");
          }
          com.fasterxml.jackson.databind.JsonNode pools = MAPPER.readTree(in).path("names");
          for (String split : List.of("train", "eval")) {
            pools.path(split).forEach(n -> names.add(n.asText()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read built-in task " + task, e);
        }
      }
      listedNames = Set.copyOf(names);
    }
    return listedNames;
  }

  private static Set<String> listedNames;

  /**
   * Parses and validates YAML text.
   *
   * @param name the task's name
   * @param yaml the definition
   * @param source where the text came from, for error messages
   */
  public static TaskSpec parse(String name, String yaml, String source) {
    TaskFile file;
    try {
      file = MAPPER.readValue(yaml, TaskFile.class);
    } catch (JsonMappingException e) {
      throw mappingError(source, yaml, e);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new TaskSpecException(source, null, at == null ? -1 : at.getLineNr(),
          "not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (file == null) {
      throw new TaskSpecException(source, null, -1, "the file is empty", null);
    }
    return new TaskResolver(source, yaml).resolve(name, file);
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
    String key = YamlLocator.dotted(path);
    // The key's own line; Jackson's location can point past it (at the next token).
    int line = path.isEmpty() ? -1 : YamlLocator.line(yaml, path);
    if (line < 0 && e.getLocation() != null) {
      line = e.getLocation().getLineNr();
    }
    String problem;
    if (e instanceof UnrecognizedPropertyException u) {
      TreeSet<String> known = new TreeSet<>();
      if (u.getKnownPropertyIds() != null) {
        u.getKnownPropertyIds().forEach(k -> known.add(k.toString()));
      }
      problem = "unknown key '" + u.getPropertyName() + "'; known keys here: " + known;
    } else if (e instanceof InvalidFormatException f) {
      problem = "cannot read '" + f.getValue() + "' as " + typeName(f.getTargetType());
    } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      problem = "expected " + typeName(m.getTargetType()) + ", got " + found(e.getOriginalMessage());
    } else {
      problem = e.getOriginalMessage();
    }
    return new TaskSpecException(source, key, line, problem, e);
  }

  /** What the YAML held, read from Jackson's message (it has no accessor for it). */
  private static String found(String jacksonMessage) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("value \\(\"([^\"]*)\"\\)").matcher(jacksonMessage);
    if (m.find()) {
      return "'" + m.group(1) + "'";
    }
    if (jacksonMessage.contains("START_ARRAY") || jacksonMessage.contains("Array value")) {
      return "a list";
    }
    if (jacksonMessage.contains("START_OBJECT") || jacksonMessage.contains("Object value")) {
      return "a mapping";
    }
    return "something else (" + jacksonMessage + ")";
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "a value of another type";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object c : type.getEnumConstants()) {
        names.add(c.toString().toLowerCase(java.util.Locale.ROOT));
      }
      return "one of " + names;
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping (key: value lines)";
    }
    return type.getSimpleName();
  }
}
