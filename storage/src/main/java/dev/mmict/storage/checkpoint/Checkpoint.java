package dev.mmict.storage.checkpoint;

import java.nio.file.Path;

/**
 * A verified checkpoint: its directory and manifest. Every file listed in the manifest was present
 * with the recorded size and sha256 when it was verified.
 *
 * @param dir the step directory
 * @param manifest its parsed manifest
 */
public record Checkpoint(Path dir, Manifest manifest) {

  /** The step it was written at. */
  public long step() {
    return manifest.step();
  }

  /** The path of file {@code name}; it must be listed in the manifest. */
  public Path file(String name) {
    if (!manifest.files().containsKey(name)) {
      throw new IllegalArgumentException(
          CheckpointException.format(
              dir, name, "not in this checkpoint; it has " + manifest.files().keySet()));
    }
    return dir.resolve(name);
  }
}
