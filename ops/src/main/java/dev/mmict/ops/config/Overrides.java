package dev.mmict.ops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Applies {@code --set a.b.c=value} arguments to a {@link SourcedTree}. The path is checked
 * against the record types (a wrong key fails here, naming it); the value is kept as text and
 * typed later by the component it lands in, except for list and map components, whose value is
 * read as inline YAML ({@code --set sweep.lrs=[1e-4,3e-4]}).
 */
final class Overrides {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final YamlTreeReader reader;

    Overrides(YamlTreeReader reader) {
        this.reader = reader;
    }

    void apply(SourcedTree tree, Class<? extends Record> rootType, List<String> arguments) {
        for (String argument : arguments) {
            apply(tree, rootType, argument);
        }
    }

    private void apply(SourcedTree tree, Class<? extends Record> rootType, String argument) {
        Origin origin = Origin.ofOverride(argument);
        int equals = argument.indexOf('=');
        String path = equals < 0 ? argument.trim() : argument.substring(0, equals).trim();
        if (equals < 0 || !KEY.matcher(path).matches()) {
            throw new ConfigException(origin, null, "expected key=value with a dotted key, e.g. --set trainer.lr=3e-4");
        }
        String text = argument.substring(equals + 1);
        Type target = resolve(rootType, path, origin);
        if (ConfigTypes.isSection(target)) {
            throw new ConfigException(origin, path, "is a section, not a value; set one of its keys ("
                    + ConfigTypes.componentNames(ConfigTypes.raw(target)) + ")");
        }
        JsonNode value = ConfigTypes.isCollection(target)
                ? reader.readValue(text, path, origin)
                : JsonNodeFactory.instance.textNode(text);
        tree.set(path, value, origin);
    }

    /** The declared type at a dotted path, walking record components and map keys. */
    private static Type resolve(Class<? extends Record> rootType, String path, Origin origin) {
        Type current = rootType;
        String walked = "";
        for (String key : path.split("\\.")) {
            Class<?> raw = ConfigTypes.raw(current);
            String next = SourcedTree.child(walked, key);
            if (raw.isRecord()) {
                Optional<RecordComponent> component = ConfigTypes.component(raw, key);
                if (component.isEmpty()) {
                    throw new ConfigException(origin, next, ConfigTypes.unknownKeyProblem(raw, key));
                }
                current = component.get().getGenericType();
            } else if (Map.class.equals(raw)) {
                current = ConfigTypes.typeArgument(current, 1, walked);
            } else {
                throw new ConfigException(origin, next, "'" + walked + "' is a single value and has no key '" + key + "'");
            }
            walked = next;
        }
        return current;
    }
}
