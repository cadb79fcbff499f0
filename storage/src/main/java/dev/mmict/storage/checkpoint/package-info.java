/**
 * Checkpoints: one directory per step, written atomically (temporary directory, fsync, rename),
 * described by a checksummed JSON manifest, verified before use, pruned by a retention policy. The
 * tensor files themselves are written by the caller ({@link
 * dev.mmict.storage.checkpoint.CheckpointFileWriter}), so this package knows no tensor format.
 */
package dev.mmict.storage.checkpoint;
