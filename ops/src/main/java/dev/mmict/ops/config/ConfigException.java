package dev.mmict.ops.config;

/**
 * A configuration that cannot be used: unreadable or malformed YAML, an unknown key, a value of
 * the wrong type or out of range, or a bad {@code --set} argument. The message names where
 * (file:line:column or the {@code --set} argument), the key path, and what is wrong.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Origin origin;
    private final String keyPath;
    private final String problem;

    /**
     * @param origin where the offending value came from, or null if unknown
     * @param keyPath dotted path of the offending key ({@code trainer.lr}), or null for the whole document
     * @param problem what is wrong, without the location
     */
    public ConfigException(Origin origin, String keyPath, String problem) {
        this(origin, keyPath, problem, null);
    }

    /** As {@link #ConfigException(Origin, String, String)}, keeping the underlying cause. */
    public ConfigException(Origin origin, String keyPath, String problem, Throwable cause) {
        super(format(origin, keyPath, problem), cause);
        this.origin = origin;
        this.keyPath = keyPath;
        this.problem = problem;
    }

    private static String format(Origin origin, String keyPath, String problem) {
        StringBuilder text = new StringBuilder();
        if (origin != null) {
            text.append(origin).append(": ");
        }
        if (keyPath != null && !keyPath.isEmpty()) {
            text.append(keyPath).append(": ");
        }
        return text.append(problem).toString();
    }

    /** Where the offending value came from, or null if unknown. */
    public Origin origin() {
        return origin;
    }

    /** Dotted path of the offending key, or null when the problem concerns the whole document. */
    public String keyPath() {
        return keyPath;
    }

    /** What is wrong, without location or key. */
    public String problem() {
        return problem;
    }
}
