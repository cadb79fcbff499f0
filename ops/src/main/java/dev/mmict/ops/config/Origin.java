package dev.mmict.ops.config;

/**
 * Where a configuration value came from: a line and column of a YAML file, a {@code --set}
 * argument, or the record's defaults.
 *
 * @param source the file name, {@code --set key=value}, or {@code defaults}
 * @param line 1-based line in {@code source}, or 0 when the source has no lines
 * @param column 1-based column in {@code source}, or 0 when the source has no lines
 */
public record Origin(String source, int line, int column) {

    /** The origin of every value that comes from a record's {@code defaults()}. */
    public static final Origin DEFAULTS = new Origin("defaults", 0, 0);

    /** The origin of a value given on the command line as {@code --set key=value}. */
    public static Origin ofOverride(String argument) {
        return new Origin("--set " + argument, 0, 0);
    }

    /** {@code file:line:column} for file positions, the bare source otherwise. */
    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column : source;
    }
}
