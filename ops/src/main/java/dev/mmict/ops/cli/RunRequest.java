package dev.mmict.ops.cli;

import dev.mmict.ops.config.RunConfig;
import java.nio.file.Path;

/**
 * What a run command hands to {@link Operations}: the checked configuration and where outputs go.
 *
 * @param command the subcommand name ({@code train}, ...)
 * @param config the resolved, validated configuration (already saved as {@code outDir/config.yaml})
 * @param outDir directory for this run's outputs; it exists
 * @param report file for the machine-readable report (JSON)
 */
public record RunRequest(String command, RunConfig config, Path outDir, Path report) {
}
