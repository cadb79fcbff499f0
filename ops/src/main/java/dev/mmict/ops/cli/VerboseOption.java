package dev.mmict.ops.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --verbose} flag every command accepts: failures then print their stack trace.
 * {@link FailureHandler} reads it from the parse result, so this field is informational only.
 */
public final class VerboseOption {

    /** The option name, as {@link FailureHandler} looks it up. */
    static final String NAME = "--verbose";

    @Option(names = NAME, description = "Print stack traces of failures (also: MMICT_DEBUG=1).")
    boolean verbose;
}
