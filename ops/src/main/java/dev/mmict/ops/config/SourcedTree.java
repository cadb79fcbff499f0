package dev.mmict.ops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * A configuration document as a Jackson tree plus, for every key path ({@code trainer.lr},
 * {@code grid[2]}), the {@link Origin} of its value, so that errors found later can still say
 * which file line or {@code --set} argument to fix. Layers (defaults, file, overrides) are
 * merged into one tree; the last layer that sets a key wins and leaves its origin.
 */
final class SourcedTree {

    private final ObjectNode root;
    private final Map<String, Origin> origins;
    private final Origin rootOrigin;

    SourcedTree(ObjectNode root, Map<String, Origin> origins, Origin rootOrigin) {
        this.root = root;
        this.origins = new HashMap<>(origins);
        this.rootOrigin = rootOrigin;
    }

    /** An empty document whose values (if any are added) came from {@code origin}. */
    static SourcedTree empty(Origin origin) {
        return new SourcedTree(JsonNodeFactory.instance.objectNode(), Map.of(), origin);
    }

    ObjectNode root() {
        return root;
    }

    /**
     * This document moved under one key ({@code base}), origins included, so that a whole file
     * can be layered into a section of a larger document.
     */
    SourcedTree nestedUnder(String key) {
        ObjectNode wrapper = JsonNodeFactory.instance.objectNode();
        wrapper.set(key, root.deepCopy());
        Map<String, Origin> moved = new HashMap<>();
        origins.forEach((path, origin) -> moved.put(child(key, path), origin));
        moved.put(key, rootOrigin);
        return new SourcedTree(wrapper, moved, rootOrigin);
    }

    /** The origin of {@code path}, or of its nearest ancestor that has one. */
    Origin originOf(String path) {
        String current = path;
        while (current != null && !current.isEmpty()) {
            Origin origin = origins.get(current);
            if (origin != null) {
                return origin;
            }
            current = parent(current);
        }
        return rootOrigin;
    }

    /**
     * Lays {@code overlay} over this tree: objects merge key by key, anything else (scalars,
     * lists, null over a non-object) replaces. A null over an object (a YAML section whose
     * keys are all commented out) keeps the object.
     */
    void mergeFrom(SourcedTree overlay) {
        mergeObject(root, overlay.root, "", overlay);
    }

    private void mergeObject(ObjectNode base, ObjectNode over, String path, SourcedTree overlay) {
        for (Map.Entry<String, JsonNode> field : over.properties()) {
            String childPath = child(path, field.getKey());
            JsonNode existing = base.get(field.getKey());
            JsonNode incoming = field.getValue();
            if (existing instanceof ObjectNode existingObject && incoming instanceof ObjectNode incomingObject) {
                origins.put(childPath, overlay.originOf(childPath));
                mergeObject(existingObject, incomingObject, childPath, overlay);
            } else if (!(existing instanceof ObjectNode && incoming.isNull())) {
                // A null over a section (its keys all commented out) keeps the section: no else branch.
                base.set(field.getKey(), incoming.deepCopy());
                forgetBelow(childPath);
                overlay.origins.forEach((key, origin) -> {
                    if (key.equals(childPath) || isBelow(key, childPath)) {
                        origins.put(key, origin);
                    }
                });
                origins.putIfAbsent(childPath, overlay.originOf(childPath));
            }
        }
    }

    /**
     * Sets the value at a dotted path of object keys, creating missing parent objects, and
     * records {@code origin} for it and everything below it.
     */
    void set(String path, JsonNode value, Origin origin) {
        String[] keys = path.split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode next = parent.get(keys[i]);
            if (!(next instanceof ObjectNode)) {
                next = parent.putObject(keys[i]);
            }
            parent = (ObjectNode) next;
        }
        parent.set(keys[keys.length - 1], value);
        forgetBelow(path);
        origins.put(path, origin);
    }

    private void forgetBelow(String path) {
        origins.keySet().removeIf(key -> key.equals(path) || isBelow(key, path));
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static boolean isBelow(String key, String path) {
        return key.startsWith(path + ".") || key.startsWith(path + "[");
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? null : path.substring(0, cut);
    }
}
