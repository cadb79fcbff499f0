package dev.mmict.ops.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Java types a configuration record may use, and small reflective helpers shared by the
 * binder, the writer and the {@code --set} resolver: records (sections), {@code int}, {@code long},
 * {@code double}, {@code float}, {@code boolean} and their boxes, {@code String}, enums (written in
 * lower case, read case-insensitively), {@link Path}, {@code List<E>} and {@code Map<String, V>}.
 */
final class ConfigTypes {

    private ConfigTypes() {
    }

    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        throw new IllegalArgumentException("unsupported configuration type " + type);
    }

    /** The n-th type argument of a parameterized {@code List} or {@code Map} type. */
    static Type typeArgument(Type type, int index, String path) {
        if (type instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[index];
        }
        throw new IllegalArgumentException("configuration key '" + path + "' has raw type " + type
                + "; give its element type, e.g. List<Integer>");
    }

    static boolean isSection(Type type) {
        return raw(type).isRecord();
    }

    static boolean isCollection(Type type) {
        Class<?> raw = raw(type);
        return List.class.equals(raw) || Map.class.equals(raw);
    }

    static Optional<RecordComponent> component(Class<?> recordType, String name) {
        return Arrays.stream(recordType.getRecordComponents()).filter(c -> c.getName().equals(name)).findFirst();
    }

    static String componentNames(Class<?> recordType) {
        return Arrays.stream(recordType.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.joining(", "));
    }

    /**
     * The component name closest to a misspelt key ({@code batch_size} for {@code batchSize},
     * {@code lrr} for {@code lr}), if one is close enough to be worth suggesting.
     */
    static Optional<String> closest(Class<?> recordType, String key) {
        String wanted = normalise(key);
        return Arrays.stream(recordType.getRecordComponents()).map(RecordComponent::getName)
                .map(name -> Map.entry(name, distance(normalise(name), wanted)))
                .filter(e -> e.getValue() <= Math.max(1, wanted.length() / 3))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }

    /** "unknown key (did you mean 'lr'? known keys: ...)" for a key not among the components. */
    static String unknownKeyProblem(Class<?> recordType, String key) {
        String hint = closest(recordType, key).map(name -> "did you mean '" + name + "'? ").orElse("");
        return "unknown key (" + hint + "known keys here: " + componentNames(recordType) + ")";
    }

    private static String normalise(String key) {
        return key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
