/** The operator-facing side of mmict: the {@code mmict} CLI ({@link dev.mmict.ops.Main}), its exit codes, configuration. */
package dev.mmict.ops;
