package dev.mmict.ops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a record tree back into a Jackson tree (component order kept), for the defaults layer
 * and for writing the resolved configuration as YAML. Enums are written in lower case.
 */
final class RecordTrees {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RecordTrees() {
    }

    static ObjectNode toTree(Record record) {
        return (ObjectNode) toNode(record);
    }

    private static JsonNode toNode(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof Record record) {
            ObjectNode object = NODES.objectNode();
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                object.set(component.getName(), toNode(read(record, component)));
            }
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode();
            list.forEach(element -> array.add(toNode(element)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((key, element) -> object.set(String.valueOf(key), toNode(element)));
            return object;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return NODES.numberNode(((Number) value).longValue());
        }
        if (value instanceof BigInteger big) {
            return NODES.numberNode(big);
        }
        if (value instanceof Double || value instanceof Float) {
            return NODES.numberNode(((Number) value).doubleValue());
        }
        if (value instanceof BigDecimal decimal) {
            return NODES.numberNode(decimal);
        }
        if (value instanceof Boolean bool) {
            return NODES.booleanNode(bool);
        }
        if (value instanceof Enum<?> constant) {
            return NODES.textNode(constant.name().toLowerCase(Locale.ROOT));
        }
        if (value instanceof String || value instanceof Path) {
            return NODES.textNode(value.toString());
        }
        throw new IllegalArgumentException("cannot write configuration value of type " + value.getClass().getName());
    }

    private static Object read(Record record, RecordComponent component) {
        try {
            var accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("reading " + component.getName() + " of " + record.getClass().getName()
                    + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of "
                    + record.getClass().getName(), e);
        }
    }
}
