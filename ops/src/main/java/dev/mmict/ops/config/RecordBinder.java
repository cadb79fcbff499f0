package dev.mmict.ops.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a merged {@link SourcedTree} into a record tree, checking as it goes: unknown keys,
 * missing keys, wrong types, {@link Range} and {@link OneOf}, and any
 * {@link IllegalArgumentException} thrown by a record's compact constructor (cross-field rules).
 * Each failure is a {@link ConfigException} naming the key path and where its value came from.
 */
final class RecordBinder {

    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+(_\\d+)*");
    private static final Pattern DECIMAL =
            Pattern.compile("[-+]?(\\d+(_\\d+)*(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    private final SourcedTree tree;

    RecordBinder(SourcedTree tree) {
        this.tree = tree;
    }

    <T extends Record> T bindRoot(Class<T> type) {
        return type.cast(bindRecord(tree.root(), type, ""));
    }

    private Object bind(JsonNode node, Type type, String path, RecordComponent component) {
        Class<?> raw = ConfigTypes.raw(type);
        if (node == null) {
            throw problem(path, "missing key (it has no default; add it to the config or pass --set " + path + "=...)");
        }
        if (node.isNull()) {
            if (raw.isPrimitive() || raw.isRecord() || ConfigTypes.isCollection(type)) {
                throw problem(path, "needs a value, got null");
            }
            return null;
        }
        Object value;
        if (raw.isRecord()) {
            value = bindRecord(node, raw, path);
        } else if (List.class.equals(raw)) {
            value = bindList(node, type, path);
        } else if (Map.class.equals(raw)) {
            value = bindMap(node, type, path);
        } else {
            value = bindScalar(node, raw, path);
        }
        if (component != null) {
            checkConstraints(component, value, path);
        }
        return value;
    }

    private Object bindRecord(JsonNode node, Class<?> type, String path) {
        if (!node.isObject()) {
            throw problem(path, "expected a section with keys " + ConfigTypes.componentNames(type)
                    + ", got " + describe(node));
        }
        Iterator<String> keys = node.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (ConfigTypes.component(type, key).isEmpty()) {
                String keyPath = SourcedTree.child(path, key);
                throw new ConfigException(tree.originOf(keyPath), keyPath,
                        ConfigTypes.unknownKeyProblem(type, key));
            }
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] arguments = new Object[components.length];
        Class<?>[] parameterTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String keyPath = SourcedTree.child(path, component.getName());
            arguments[i] = bind(node.get(component.getName()), component.getGenericType(), keyPath, component);
            parameterTypes[i] = component.getType();
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw new ConfigException(blame(path, components), path.isEmpty() ? null : path,
                        invalid.getMessage(), invalid);
            }
            throw new IllegalStateException("constructing configuration record " + type.getName()
                    + " at '" + path + "' failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct configuration record " + type.getName(), e);
        }
    }

    /**
     * Where to point for a rule across several keys of a section (a compact constructor's
     * check): a {@code --set} of one of its keys if there is one (the most likely culprit), else
     * the section in the file, else any key that did not come from the defaults.
     */
    private Origin blame(String path, RecordComponent[] components) {
        List<Origin> childOrigins = Arrays.stream(components)
                .map(c -> tree.originOf(SourcedTree.child(path, c.getName()))).toList();
        Origin section = tree.originOf(path);
        return childOrigins.stream().filter(o -> o.source().startsWith("--set ")).findFirst()
                .or(() -> Optional.of(section).filter(o -> !o.equals(Origin.DEFAULTS)))
                .or(() -> childOrigins.stream().filter(o -> !o.equals(Origin.DEFAULTS)).findFirst())
                .orElse(section);
    }

    private List<Object> bindList(JsonNode node, Type type, String path) {
        if (!node.isArray()) {
            throw problem(path, "expected a list, e.g. [a, b], got " + describe(node));
        }
        Type elementType = ConfigTypes.typeArgument(type, 0, path);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            values.add(bind(node.get(i), elementType, path + "[" + i + "]", null));
        }
        return Collections.unmodifiableList(values);
    }

    private Map<String, Object> bindMap(JsonNode node, Type type, String path) {
        if (!node.isObject()) {
            throw problem(path, "expected a mapping of keys to values, got " + describe(node));
        }
        if (!String.class.equals(ConfigTypes.raw(ConfigTypes.typeArgument(type, 0, path)))) {
            throw new IllegalArgumentException("configuration map '" + path + "' must have String keys");
        }
        Type valueType = ConfigTypes.typeArgument(type, 1, path);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String keyPath = SourcedTree.child(path, field.getKey());
            values.put(field.getKey(), bind(field.getValue(), valueType, keyPath, null));
        }
        return Collections.unmodifiableMap(values);
    }

    private Object bindScalar(JsonNode node, Class<?> type, String path) {
        if (node.isContainerNode()) {
            throw problem(path, "expected " + expected(type) + ", got " + describe(node));
        }
        String text = node.asText();
        if (type == String.class) {
            return text;
        }
        if (type == int.class || type == Integer.class) {
            long value = parseInteger(node, text, path, type);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw problem(path, "expected an integer between " + Integer.MIN_VALUE + " and "
                        + Integer.MAX_VALUE + ", got " + text);
            }
            return (int) value;
        }
        if (type == long.class || type == Long.class) {
            return parseInteger(node, text, path, type);
        }
        if (type == double.class || type == Double.class) {
            return parseDecimal(node, text, path);
        }
        if (type == float.class || type == Float.class) {
            return (float) parseDecimal(node, text, path);
        }
        if (type == boolean.class || type == Boolean.class) {
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(text);
            }
            throw problem(path, "expected true or false, got '" + text + "'");
        }
        if (type.isEnum()) {
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(text)) {
                    return constant;
                }
            }
            throw problem(path, "expected one of " + enumNames(type) + ", got '" + text + "'");
        }
        if (type == Path.class) {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new ConfigException(tree.originOf(path), path, "not a valid path: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("configuration key '" + path + "' has unsupported type "
                + type.getName());
    }

    private long parseInteger(JsonNode node, String text, String path, Class<?> type) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (INTEGER.matcher(text).matches()) {
            try {
                return Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException e) {
                throw problem(path, "integer too large: " + text);
            }
        }
        throw problem(path, "expected " + expected(type) + ", got '" + text + "'");
    }

    private double parseDecimal(JsonNode node, String text, String path) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (DECIMAL.matcher(text).matches()) {
            double value = Double.parseDouble(text.replace("_", ""));
            if (Double.isFinite(value)) {
                return value;
            }
        }
        throw problem(path, "expected a number, got '" + text + "'");
    }

    private void checkConstraints(RecordComponent component, Object value, String path) {
        Range range = component.getAnnotation(Range.class);
        if (range != null && value instanceof Number number) {
            double v = number.doubleValue();
            boolean tooSmall = range.exclusiveMin() ? v <= range.min() : v < range.min();
            if (tooSmall || v > range.max()) {
                throw problem(path, "value " + value + " is out of range: must be " + describe(range));
            }
        }
        OneOf oneOf = component.getAnnotation(OneOf.class);
        if (oneOf != null && value instanceof String text && !Arrays.asList(oneOf.value()).contains(text)) {
            throw problem(path, "expected one of " + String.join(", ", oneOf.value()) + ", got '" + text + "'");
        }
    }

    private static String describe(Range range) {
        boolean hasMin = range.min() != Double.NEGATIVE_INFINITY;
        boolean hasMax = range.max() != Double.POSITIVE_INFINITY;
        String lower = hasMin ? (range.exclusiveMin() ? "> " : ">= ") + number(range.min()) : "";
        String upper = hasMax ? "<= " + number(range.max()) : "";
        if (hasMin && hasMax) {
            return lower + " and " + upper;
        }
        return hasMin ? lower : upper;
    }

    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + enumNames(type);
        }
        return "a single value";
    }

    private static String enumNames(Class<?> type) {
        return Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    private static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a section";
        }
        if (node.isArray()) {
            return "a list";
        }
        return "'" + node.asText() + "'";
    }

    private ConfigException problem(String path, String problem) {
        return new ConfigException(tree.originOf(path), path, problem);
    }
}
