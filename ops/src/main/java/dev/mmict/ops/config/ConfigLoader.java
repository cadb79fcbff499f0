package dev.mmict.ops.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a configuration record tree from YAML, for any root record type.
 *
 * <p>Resolution happens in three layers, the last one winning per key: the root type's
 * {@code public static T defaults()} (if it has one; without it every key is required), the YAML
 * file, then each {@code --set key.path=value} in order. The merged tree is then bound to the
 * records and checked — unknown keys, wrong types, {@link Range}, {@link OneOf}, and any
 * {@link IllegalArgumentException} from a record's compact constructor — so that a bad
 * configuration fails before any work starts, with a {@link ConfigException} naming the key path
 * and its file:line:column (or the {@code --set} argument).
 *
 * <p>Keys are the record component names as written in Java ({@code batchSize}). Scalars are
 * typed by the component they land in, so {@code lr: 1e-3} is a number and {@code name: 1.10}
 * the string "1.10". {@link #toYaml(Record)} writes a resolved configuration back; reading that
 * text again gives an equal record tree.
 */
public final class ConfigLoader {

    private final YamlTreeReader reader = new YamlTreeReader();
    private final Overrides overrides = new Overrides(reader);
    private final ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    /**
     * Resolves a configuration from an optional YAML file plus overrides.
     *
     * @param type the root record type
     * @param file the YAML file, or null to start from the defaults alone
     * @param setArguments {@code key.path=value} overrides, applied in order after the file
     * @throws ConfigException if the file cannot be read or the configuration is invalid
     */
    public <T extends Record> T load(Class<T> type, Path file, List<String> setArguments) {
        if (file == null) {
            return resolve(type, null, setArguments);
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(null, null, "config file not found: " + file);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ConfigException(new Origin(file.toString(), 0, 0), null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(new Origin(file.toString(), 0, 0), null, "cannot read config file: " + e, e);
        }
        return parse(type, text, file.toString(), setArguments);
    }

    /**
     * Resolves a configuration from YAML text plus overrides.
     *
     * @param sourceName the name errors use for this text (normally the file name)
     */
    public <T extends Record> T parse(Class<T> type, String yamlText, String sourceName, List<String> setArguments) {
        return resolve(type, reader.read(yamlText, sourceName), setArguments);
    }

    /** The root type's defaults, exactly as its {@code defaults()} method builds them. */
    public <T extends Record> T defaults(Class<T> type) {
        return defaultsOf(type).orElseThrow(() -> new IllegalArgumentException(
                type.getName() + " has no public static " + type.getSimpleName() + " defaults() method"));
    }

    /** The configuration as YAML, keys in record component order; {@link #parse} reads it back. */
    public String toYaml(Record config) {
        try {
            return yaml.writeValueAsString(RecordTrees.toTree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write configuration as YAML", e);
        }
    }

    /** Writes {@link #toYaml(Record)} to {@code file}, creating its parent directories. */
    public void write(Record config, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toYaml(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write configuration to " + file, e);
        }
    }

    private <T extends Record> T resolve(Class<T> type, SourcedTree fromFile, List<String> setArguments) {
        Optional<T> defaults = defaultsOf(type);
        SourcedTree merged = defaults
                .map(d -> new SourcedTree(RecordTrees.toTree(d), Map.of(), Origin.DEFAULTS))
                .orElseGet(() -> SourcedTree.empty(fromFile == null ? Origin.DEFAULTS : fromFile.originOf("")));
        if (fromFile != null) {
            merged.mergeFrom(fromFile);
        }
        overrides.apply(merged, type, setArguments == null ? List.of() : setArguments);
        return new RecordBinder(merged).bindRoot(type);
    }

    private static <T extends Record> Optional<T> defaultsOf(Class<T> type) {
        Method method;
        try {
            method = type.getMethod("defaults");
        } catch (NoSuchMethodException e) {
            return Optional.empty();
        }
        if (!Modifier.isStatic(method.getModifiers()) || !type.equals(method.getReturnType())) {
            throw new IllegalArgumentException(type.getName() + ".defaults() must be static and return "
                    + type.getSimpleName());
        }
        try {
            return Optional.of(type.cast(method.invoke(null)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("calling " + type.getName() + ".defaults() failed", e);
        }
    }
}
