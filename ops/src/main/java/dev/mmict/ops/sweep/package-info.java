/**
 * Sweeps as the operator sees them: the tables and files {@code mmict sweep} prints and writes.
 * The sweep logic itself is in {@code dev.mmict.coordinator.sweep}; loading the sweep file is in
 * {@code dev.mmict.ops.config.SweepConfigLoader}.
 */
package dev.mmict.ops.sweep;
