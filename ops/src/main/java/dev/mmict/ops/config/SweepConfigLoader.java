package dev.mmict.ops.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmict.coordinator.sweep.AshaSettings;
import dev.mmict.coordinator.sweep.Objective;
import dev.mmict.coordinator.sweep.Parameter;
import dev.mmict.coordinator.sweep.SearchSpace;
import dev.mmict.coordinator.sweep.SearchSpaceException;
import dev.mmict.coordinator.sweep.TrialSampler;
import dev.mmict.coordinator.sweep.TrialSpec;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Loads a sweep file into a {@link SweepDefinition}, checking everything before any work starts.
 *
 * <p>Layers, the last winning per key: {@link SweepConfig#defaults()}, the run config file named by
 * {@code baseConfig} (relative to the sweep file) laid under {@code base}, then the sweep file
 * itself. The result is bound with the same checks as a run config (unknown keys, types, ranges).
 * Then each {@code space} entry is checked against {@link RunConfig}: the key must be a value key
 * of the run config; the kind must fit its type (ranges only for numbers: {@code uniform} and
 * {@code logUniform} for reals, {@code intUniform} for integers; {@code grid} and {@code choice}
 * for any key); values are typed as the key; empty lists and empty ranges are refused; every grid
 * or choice value and every range bound must be a valid value of the key; and every trial's run
 * config must resolve. Errors are {@link ConfigException}s naming the sweep file's line and the
 * key path ({@code space.trainer.lr}).
 */
public final class SweepConfigLoader {

    /** The kinds a {@code space} entry may use, as written in the file. */
    public static final List<String> KINDS = List.of("grid", "choice", "uniform", "logUniform", "intUniform");

    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+(_\\d+)*");
    private static final Pattern DECIMAL =
            Pattern.compile("[-+]?(\\d+(_\\d+)*(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    private final YamlTreeReader reader = new YamlTreeReader();
    private final Overrides overrides = new Overrides(reader);
    private final ConfigLoader configLoader = new ConfigLoader();

    /** Loads and checks the sweep file {@code file}. */
    public SweepDefinition load(Path file) {
        SourcedTree fromFile = reader.read(readText(file, null, null), file.toString());
        Path dir = file.toAbsolutePath().getParent();

        SourcedTree merged = new SourcedTree(RecordTrees.toTree(SweepConfig.defaults()), Map.of(), Origin.DEFAULTS);
        JsonNode baseConfig = fromFile.root().get("baseConfig");
        if (baseConfig != null && !baseConfig.isNull() && !baseConfig.isContainerNode()) {
            Path baseFile = dir.resolve(baseConfig.asText());
            Origin at = fromFile.originOf("baseConfig");
            SourcedTree base = reader.read(readText(baseFile, at, "baseConfig"), baseFile.toString());
            merged.mergeFrom(base.nestedUnder("base"));
        }
        merged.mergeFrom(fromFile);
        SweepConfig config = new RecordBinder(merged).bindRoot(SweepConfig.class);

        SearchSpace space = searchSpace(config, merged);
        TrialSampler sampler = new TrialSampler(space, config.seed());
        List<TrialSpec> trials;
        try {
            trials = sampler.trials(config.budget().numTrials());
        } catch (ArithmeticException e) {
            throw new ConfigException(merged.originOf("budget.numTrials"), "budget.numTrials",
                    "numTrials × grid points is too many trials", e);
        }
        List<RunConfig> configs = new ArrayList<>(trials.size());
        for (TrialSpec trial : trials) {
            configs.add(resolveTrial(config.base(), trial, merged));
        }
        Objective objective = new Objective(config.objective().metric(),
                Objective.Mode.valueOf(config.objective().mode().toUpperCase(Locale.ROOT)));
        SweepConfig.Scheduler s = config.scheduler();
        Optional<AshaSettings> asha = s.type().equals("asha")
                ? Optional.of(new AshaSettings(s.maxT(), s.gracePeriod(), s.reductionFactor()))
                : Optional.empty();
        // The metric was "loss" by default before it was "val_loss": such a file's state has this fingerprint.
        String formerDefault = fromFile.root().path("objective").has("metric") ? null
                : fingerprint(config, trials, new SweepConfig.Objective(SweepConfig.Objective.FORMER_DEFAULT_METRIC,
                        config.objective().mode()));
        return new SweepDefinition(file.toString(), config, space, trials, configs, objective, asha,
                fingerprint(config, trials, config.objective()), formerDefault);
    }

    private static String readText(Path file, Origin referencedAt, String key) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(referencedAt, key, (referencedAt == null ? "sweep file" : "base config file")
                    + " not found: " + file);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ConfigException(new Origin(file.toString(), 0, 0), null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(new Origin(file.toString(), 0, 0), null, "cannot read file: " + e, e);
        }
    }

    private SearchSpace searchSpace(SweepConfig config, SourcedTree tree) {
        List<Parameter> parameters = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<String>>> entry : config.space().entrySet()) {
            String key = entry.getKey();
            String path = "space." + key;
            Type type = keyType(key, tree.originOf(path), path);
            if (entry.getValue().size() != 1) {
                throw new ConfigException(tree.originOf(path), path, "expected exactly one kind ("
                        + String.join(", ", KINDS) + "), e.g. {logUniform: [1e-4, 1e-2]}, got "
                        + (entry.getValue().isEmpty() ? "none" : String.join(", ", entry.getValue().keySet())));
            }
            Map.Entry<String, List<String>> kindAndValues = entry.getValue().entrySet().iterator().next();
            String kind = kindAndValues.getKey();
            String kindPath = path + "." + kind;
            Origin at = tree.originOf(kindPath);
            if (!KINDS.contains(kind)) {
                throw new ConfigException(at, kindPath, "unknown kind" + hint(kind) + " (kinds: "
                        + String.join(", ", KINDS) + ")");
            }
            Parameter parameter;
            try {
                parameter = parameter(key, kind, kindAndValues.getValue(), type, kindPath, tree);
            } catch (SearchSpaceException e) {
                throw new ConfigException(at, kindPath, e.problem(), e);
            }
            checkValuesFitTheKey(config.base(), parameter, kindPath, at);
            parameters.add(parameter);
        }
        try {
            return new SearchSpace(parameters);
        } catch (SearchSpaceException e) {
            throw new ConfigException(tree.originOf("space." + e.key()), "space." + e.key(), e.problem(), e);
        }
    }

    private static String hint(String kind) {
        String wanted = kind.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        return KINDS.stream().filter(k -> k.toLowerCase(Locale.ROOT).equals(wanted)).findFirst()
                .map(k -> " (did you mean '" + k + "'?)").orElse("");
    }

    /** The declared type of a dotted run-config key; it must name a single value. */
    private static Type keyType(String key, Origin at, String path) {
        Type current = RunConfig.class;
        String walked = "";
        for (String part : key.split("\\.", -1)) {
            Class<?> raw = ConfigTypes.raw(current);
            if (!raw.isRecord()) {
                throw new ConfigException(at, path, "'" + walked + "' is a single value and has no key '" + part + "'");
            }
            Optional<RecordComponent> component = ConfigTypes.component(raw, part);
            if (component.isEmpty()) {
                throw new ConfigException(at, path, "unknown run config key '" + key + "': "
                        + (walked.isEmpty() ? "" : "under '" + walked + "', ") + ConfigTypes.unknownKeyProblem(raw, part));
            }
            current = component.get().getGenericType();
            walked = SourcedTree.child(walked, part);
        }
        if (ConfigTypes.isSection(current)) {
            throw new ConfigException(at, path, "'" + key + "' is a section, not a value; search one of its keys ("
                    + ConfigTypes.componentNames(ConfigTypes.raw(current)) + ")");
        }
        if (ConfigTypes.isCollection(current)) {
            throw new ConfigException(at, path, "'" + key + "' is a list or map; only single values can be searched");
        }
        return current;
    }

    private enum ValueKind { INTEGER, REAL, BOOLEAN, TEXT }

    private static ValueKind valueKind(Type type) {
        Class<?> raw = ConfigTypes.raw(type);
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return ValueKind.INTEGER;
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            return ValueKind.REAL;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return ValueKind.BOOLEAN;
        }
        return ValueKind.TEXT;
    }

    private static Parameter parameter(String key, String kind, List<String> texts, Type type, String kindPath,
            SourcedTree tree) {
        ValueKind valueKind = valueKind(type);
        Origin at = tree.originOf(kindPath);
        switch (kind) {
            case "grid":
            case "choice": {
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < texts.size(); i++) {
                    values.add(typed(texts.get(i), valueKind, kindPath + "[" + i + "]", tree));
                }
                return kind.equals("grid") ? new Parameter.Grid(key, values) : new Parameter.Choice(key, values);
            }
            case "uniform":
            case "logUniform": {
                if (valueKind != ValueKind.REAL) {
                    throw new ConfigException(at, kindPath, kind + " draws real numbers but '" + key + "' is "
                            + describe(valueKind) + (valueKind == ValueKind.INTEGER
                                    ? "; use intUniform, grid or choice" : "; use grid or choice"));
                }
                checkPair(texts, kind, at, kindPath);
                double low = (Double) typed(texts.get(0), ValueKind.REAL, kindPath + "[0]", tree);
                double high = (Double) typed(texts.get(1), ValueKind.REAL, kindPath + "[1]", tree);
                return kind.equals("uniform") ? new Parameter.Uniform(key, low, high)
                        : new Parameter.LogUniform(key, low, high);
            }
            default: {
                if (valueKind != ValueKind.INTEGER) {
                    throw new ConfigException(at, kindPath, "intUniform draws integers but '" + key + "' is "
                            + describe(valueKind) + (valueKind == ValueKind.REAL
                                    ? "; use uniform, logUniform, grid or choice" : "; use grid or choice"));
                }
                checkPair(texts, kind, at, kindPath);
                long low = (Long) typed(texts.get(0), ValueKind.INTEGER, kindPath + "[0]", tree);
                long high = (Long) typed(texts.get(1), ValueKind.INTEGER, kindPath + "[1]", tree);
                return new Parameter.IntUniform(key, low, high);
            }
        }
    }

    private static void checkPair(List<String> texts, String kind, Origin at, String kindPath) {
        if (texts.size() != 2) {
            throw new ConfigException(at, kindPath, kind + " expects [low, high], got " + texts.size()
                    + (texts.size() == 1 ? " value" : " values"));
        }
    }

    private static String describe(ValueKind kind) {
        return switch (kind) {
            case INTEGER -> "an integer key";
            case REAL -> "a real-number key";
            case BOOLEAN -> "a true/false key";
            case TEXT -> "a text key";
        };
    }

    private static Object typed(String text, ValueKind kind, String path, SourcedTree tree) {
        Origin at = tree.originOf(path);
        String t = text == null ? "" : text.trim();
        switch (kind) {
            case INTEGER:
                if (INTEGER.matcher(t).matches()) {
                    try {
                        return Long.parseLong(t.replace("_", ""));
                    } catch (NumberFormatException e) {
                        throw new ConfigException(at, path, "integer too large: " + text, e);
                    }
                }
                throw new ConfigException(at, path, "expected an integer, got '" + text + "'");
            case REAL:
                if (DECIMAL.matcher(t).matches()) {
                    double d = Double.parseDouble(t.replace("_", ""));
                    if (Double.isFinite(d)) {
                        return d;
                    }
                }
                throw new ConfigException(at, path, "expected a number, got '" + text + "'");
            case BOOLEAN:
                if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(t.toLowerCase(Locale.ROOT));
                }
                throw new ConfigException(at, path, "expected true or false, got '" + text + "'");
            default:
                return text;
        }
    }

    /** Every grid/choice value and each range bound must be a valid value of the key on its own. */
    private void checkValuesFitTheKey(RunConfig base, Parameter parameter, String kindPath, Origin at) {
        List<Object> extremes = new ArrayList<>();
        if (parameter instanceof Parameter.Grid g) {
            extremes.addAll(g.values());
        } else if (parameter instanceof Parameter.Choice c) {
            extremes.addAll(c.values());
        } else if (parameter instanceof Parameter.Uniform u) {
            extremes.add(u.low());
            extremes.add(Math.nextDown(u.high()));
        } else if (parameter instanceof Parameter.LogUniform u) {
            extremes.add(u.low());
            extremes.add(Math.nextDown(u.high()));
        } else if (parameter instanceof Parameter.IntUniform u) {
            extremes.add(u.low());
            extremes.add(u.high() - 1);
        }
        for (Object value : extremes) {
            try {
                resolve(base, List.of(parameter.key() + "=" + render(value)));
            } catch (ConfigException e) {
                String what = parameter.isGrid() || parameter instanceof Parameter.Choice ? "value " : "range bound ";
                throw new ConfigException(at, kindPath, what + render(value) + " is not a valid "
                        + parameter.key() + ": " + e.problem(), e);
            }
        }
    }

    private RunConfig resolveTrial(RunConfig base, TrialSpec trial, SourcedTree tree) {
        List<String> sets = new ArrayList<>();
        trial.params().forEach((key, value) -> sets.add(key + "=" + render(value)));
        try {
            return resolve(base, sets);
        } catch (ConfigException e) {
            throw new ConfigException(tree.originOf("space"), "space", trial.id() + " " + trial.params()
                    + " does not resolve: " + (e.keyPath() == null ? "" : e.keyPath() + ": ") + e.problem(), e);
        }
    }

    private RunConfig resolve(RunConfig base, List<String> sets) {
        SourcedTree tree = new SourcedTree(RecordTrees.toTree(base), Map.of(), Origin.DEFAULTS);
        overrides.apply(tree, RunConfig.class, sets);
        return new RecordBinder(tree).bindRoot(RunConfig.class);
    }

    /** A value as a {@code --set} argument writes it: integers and reals in Java's shortest form. */
    static String render(Object value) {
        return String.valueOf(value);
    }

    private String fingerprint(SweepConfig config, List<TrialSpec> trials, SweepConfig.Objective objective) {
        StringBuilder canonical = new StringBuilder("mmict-sweep-v1\n");
        canonical.append(configLoader.toYaml(config.base()));
        for (TrialSpec t : trials) {
            canonical.append(t.id());
            t.params().forEach((k, v) -> canonical.append(' ').append(k).append('=')
                    .append(v.getClass().getSimpleName()).append(':').append(v));
            canonical.append('\n');
        }
        canonical.append("objective ").append(objective).append('\n');
        canonical.append("scheduler ").append(config.scheduler()).append('\n');
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
