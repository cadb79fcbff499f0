package dev.mmict.storage.checkpoint;

/**
 * Human-readable output of {@link CheckpointInspector} and whether everything it looked at was fine
 * (for the CLI's exit code).
 *
 * @param text the report, lines ending in '\n'
 * @param ok false when a checkpoint examined is invalid
 */
public record Inspection(String text, boolean ok) {}
