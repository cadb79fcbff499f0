/**
 * Sweeps as the operator sees them: running the trials as child JVMs ({@link
 * dev.mmict.ops.sweep.SweepRunner}), the event journal, and the tables and files {@code mmict sweep}
 * prints and writes.
 * The sweep logic itself is in {@code dev.mmict.coordinator.sweep}; loading the sweep file is in
 * {@code dev.mmict.ops.config.SweepConfigLoader}.
 */
package dev.mmict.ops.sweep;
