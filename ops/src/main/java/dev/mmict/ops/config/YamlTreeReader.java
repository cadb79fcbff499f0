package dev.mmict.ops.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads YAML text into a {@link SourcedTree}, remembering the line and column of every key.
 *
 * <p>Every scalar is kept as its literal text: whether {@code 0.10} is a number or a string is
 * decided later by the type of the record component it lands in, not by YAML's guessing (which,
 * for instance, reads {@code 1e-3} as a string and {@code 1.10} as the number 1.1).
 */
final class YamlTreeReader {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final YAMLFactory factory = new YAMLFactory();

    /** Parses a whole document; an empty document is an empty mapping. */
    SourcedTree read(String yaml, String sourceName) {
        Map<String, Origin> origins = new HashMap<>();
        Origin start = new Origin(sourceName, 1, 1);
        try (JsonParser parser = factory.createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new SourcedTree(NODES.objectNode(), origins, start);
            }
            if (first == JsonToken.VALUE_NULL) {
                // A document of only comments or "~".
                return new SourcedTree(NODES.objectNode(), origins, start);
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ConfigException(at(sourceName, parser.currentTokenLocation()), null,
                        "expected a mapping of keys (key: value) at the top level");
            }
            ObjectNode root = (ObjectNode) readValue(parser, "", sourceName, origins);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new ConfigException(at(sourceName, parser.currentTokenLocation()), null,
                        "expected one YAML document, found more");
            }
            return new SourcedTree(root, origins, start);
        } catch (JsonProcessingException e) {
            throw new ConfigException(at(sourceName, e.getLocation()), null,
                    "malformed YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(start, null, "cannot read YAML: " + e.getMessage(), e);
        }
    }

    /**
     * Parses one YAML value (a flow list such as {@code [1, 2]}, a mapping, or a scalar) given
     * in a {@code --set} argument, attributing everything in it to {@code origin}.
     */
    JsonNode readValue(String yaml, String path, Origin origin) {
        try (JsonParser parser = factory.createParser(yaml)) {
            if (parser.nextToken() == null) {
                return NODES.textNode("");
            }
            return readValue(parser, path, origin.source(), new HashMap<>());
        } catch (JsonProcessingException e) {
            throw new ConfigException(origin, path, "malformed YAML value: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(origin, path, "cannot read value: " + e.getMessage(), e);
        }
    }

    private JsonNode readValue(JsonParser parser, String path, String source, Map<String, Origin> origins)
            throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    Origin keyOrigin = at(source, parser.currentTokenLocation());
                    String childPath = SourcedTree.child(path, key);
                    if (object.has(key)) {
                        throw new ConfigException(keyOrigin, childPath,
                                "duplicate key (first given at line " + origins.get(childPath).line() + ")");
                    }
                    origins.put(childPath, keyOrigin);
                    parser.nextToken();
                    object.set(key, readValue(parser, childPath, source, origins));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                int index = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    String childPath = path + "[" + index++ + "]";
                    origins.put(childPath, at(source, parser.currentTokenLocation()));
                    array.add(readValue(parser, childPath, source, origins));
                }
                return array;
            }
            case VALUE_NULL:
                return NODES.nullNode();
            case VALUE_STRING:
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                return NODES.textNode(parser.getText());
            default:
                throw new ConfigException(at(source, parser.currentTokenLocation()), path,
                        "unsupported YAML value (" + token + ")");
        }
    }

    private static Origin at(String source, JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return new Origin(source, 0, 0);
        }
        return new Origin(source, location.getLineNr(), Math.max(1, location.getColumnNr()));
    }
}
