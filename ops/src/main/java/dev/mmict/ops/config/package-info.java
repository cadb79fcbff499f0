/**
 * Configuration: YAML onto record trees with defaults, {@code --set} overrides and validation
 * ({@link dev.mmict.ops.config.ConfigLoader}), and the run configuration records.
 */
package dev.mmict.ops.config;
